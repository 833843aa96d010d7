"""Helpers for the packaging tests: where packaging/build puts what ships, whether a build is
still current, and the environment a user's session gives a packaged app."""

from __future__ import annotations

import fcntl
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gradedesk import __version__

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
BUILD_TIMEOUT_S = 1200
# Sources whose change calls for a new build; caches and build output inside them are not.
_SOURCES = ("app", "packaging", "resources", "pyproject.toml", "MANIFEST.in")
_NOT_SOURCES = ("__pycache__", ".egg-info", ".mypy_cache", ".ruff_cache")
APP_ID = "io.github.gradedesk.GradeDesk"


@dataclass(frozen=True, slots=True)
class Artifacts:
    wheel: Path
    sdist: Path
    bundle: Path  # the one-folder bundle: bundle / "gradedesk" is the program
    tarball: Path
    build_venv: Path


def expected_artifacts() -> Artifacts:
    arch = os.uname().machine
    return Artifacts(
        wheel=DIST / f"gradedesk-{__version__}-py3-none-any.whl",
        sdist=DIST / f"gradedesk-{__version__}.tar.gz",
        bundle=DIST / "gradedesk",
        tarball=DIST / f"gradedesk-{__version__}-linux-{arch}.tar.gz",
        build_venv=ROOT / "build" / "venv",
    )


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in _SOURCES:
        top = ROOT / name
        if top.is_file():
            newest = max(newest, top.stat().st_mtime)
            continue
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if not d.endswith(_NOT_SOURCES)]
            for file in files:
                newest = max(newest, (Path(folder) / file).stat().st_mtime)
    return newest


def reusable(artifacts: Artifacts) -> bool:
    outputs = [artifacts.wheel, artifacts.sdist, artifacts.tarball,
               artifacts.bundle / "gradedesk"]
    if not all(path.exists() for path in outputs):
        return False
    return min(path.stat().st_mtime for path in outputs) > _newest_source_mtime()


def build() -> Artifacts:
    """Run packaging/build (or reuse a build newer than every source) and return what it made.
    One build at a time: under pytest-xdist each worker asks for the artifacts, and the later
    ones wait for the first build and reuse it instead of packing over it as it is read."""
    expected = expected_artifacts()
    lock_path = ROOT / "build" / "tests.lock"
    lock_path.parent.mkdir(exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if reusable(expected):
            return expected
        return _build(expected)


def _build(expected: Artifacts) -> Artifacts:
    done = subprocess.run([str(ROOT / "packaging" / "build")], cwd=ROOT, capture_output=True,
                          text=True, timeout=BUILD_TIMEOUT_S, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"packaging/build failed ({done.returncode}):\n{output}"
    for path in (expected.wheel, expected.sdist, expected.tarball, expected.bundle / "gradedesk"):
        assert path.exists(), f"packaging/build did not make {path}:\n{output}"
        assert str(path) in done.stdout, f"packaging/build did not say where {path} is"
    return expected


def user_environment(home: Path, **extra: str) -> dict[str, str]:
    """A user's session as a packaged app sees it: their own HOME and XDG folders, no Python
    settings of ours (the bundle must not need them), no display unless a test adds one."""
    dropped = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "LD_LIBRARY_PATH", "DISPLAY",
               "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
               "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_BIN_HOME", "GRADEDESK_DATA_DIR")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env["HOME"] = str(home)
    env["PATH"] = f"{home / '.local' / 'bin'}:/usr/local/bin:/usr/bin:/bin"
    env.update(extra)
    return env
