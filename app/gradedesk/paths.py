"""Where GradeDesk keeps its files: ``--data-dir``, else ``GRADEDESK_DATA_DIR``, else the
platform's user data folder (platformdirs), so tests and scripts can point it anywhere. Logs
go to the platform's user log folder, or inside a data folder chosen by hand."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "GradeDesk"
DATA_DIR_ENV = "GRADEDESK_DATA_DIR"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data folder to use (not created here; the store creates it owner-only)."""
    if explicit:
        return Path(explicit).expanduser().absolute()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().absolute()
    return _user_data_dir()


def _user_data_dir() -> Path:
    import platformdirs  # only here: --data-dir and $GRADEDESK_DATA_DIR do without it

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir(data: Path) -> Path:
    """The log folder for the data folder ``data``: the platform's user log folder
    (platformdirs' ``user_log_dir``) when ``data`` is the user data folder; ``data/logs`` when
    the data folder was chosen with ``--data-dir`` or ``$GRADEDESK_DATA_DIR``, so a test, a
    script or a copy on a USB stick keeps its logs with its database."""
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env and Path(from_env).expanduser().absolute() == data:
        return data / "logs"  # decided without importing platformdirs
    if data.expanduser().absolute() != _user_data_dir():
        return data / "logs"
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def sandbox_state_dir() -> Path:
    """Where the built-in sandbox keeps its demo key when the app starts it."""
    import platformdirs

    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "sandbox"
