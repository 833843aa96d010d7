"""Suite-wide fixtures: every path GradeDesk touches moves to a temp dir, and tests under
tests/gui are marked ``gui`` so ``pytest -m "not gui"`` proves the core runs without Qt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["keyring_plugin"]

# Property tests: CI runs the "ci" profile (.ci/run sets it), a thousand examples each; a
# developer's run uses fewer. A test that fixes its own max_examples keeps it.
settings.register_profile("ci", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_configure(config: pytest.Config) -> None:
    """Compile the app's bytecode once, before any test starts a process. The CLI and sandbox
    tests start hundreds of ``python -m gradedesk`` processes; where PYTHONDONTWRITEBYTECODE is
    set (as on some CI machines) each of them would otherwise compile every module it imports
    from source again. An installed GradeDesk has its bytecode compiled at install time."""
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller did it
        return
    import compileall

    import gradedesk

    compileall.compile_dir(Path(gradedesk.__file__).parent, quiet=1)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With ``-m "not gui"`` the GUI tests are not even imported, so that run proves the core
    works on a machine without Qt."""
    if config.option.markexpr.replace(" ", "") == "notgui" and collection_path.name == "gui":
        return True
    return None


# The longest tests run first: on the README's two workers, the packaging build and the
# reliability trials (minutes each) then run beside the many short tests, not after them.
_LONG_FOLDERS = ("packaging", "reliability")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tests_root = Path(__file__).parent
    for item in items:
        if tests_root / "gui" in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gui)

    def long_first(item: pytest.Item) -> int:
        parents = Path(str(item.fspath)).parents
        return next((rank for rank, folder in enumerate(_LONG_FOLDERS)
                     if tests_root / folder in parents), len(_LONG_FOLDERS))

    items.sort(key=long_first)  # stable: the order within each part stays


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes the developer's own data, config, cache or log folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("GRADEDESK_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "xdg-state"))
    yield
