"""The wheel and the sdist hold what an install needs: every module, the SQL migrations, the
entry point and the dependencies; the sdist also what a packager needs (resources/, the
packaging scripts). The wheel, installed on its own, opens a database."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from shipping_support import APP_ID, ROOT, Artifacts

from gradedesk import __version__

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]

PACKAGE = ROOT / "app" / "gradedesk"


def _source_files(suffix: str) -> set[str]:
    return {str(path.relative_to(PACKAGE.parent)) for path in PACKAGE.rglob(f"*{suffix}")
            if "__pycache__" not in path.parts}


def test_the_wheel_has_every_module_and_migration(artifacts: Artifacts) -> None:
    with zipfile.ZipFile(artifacts.wheel) as wheel:
        names = set(wheel.namelist())
        info = f"gradedesk-{__version__}.dist-info"
        metadata = Parser().parsestr(wheel.read(f"{info}/METADATA").decode())
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    migrations = _source_files(".sql")
    assert migrations and migrations <= names
    assert _source_files(".py") <= names
    assert not [name for name in names if not name.startswith(("gradedesk/", info))]
    assert "gradedesk = gradedesk.cli:main" in entry_points
    assert metadata["Version"] == __version__
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    required = {str(Requirement(text)) for text in metadata.get_all("Requires-Dist") or []}
    assert {str(Requirement(text)) for text in declared} <= required


def test_the_sdist_has_what_a_packager_needs(artifacts: Artifacts) -> None:
    top = f"gradedesk-{__version__}"
    with tarfile.open(artifacts.sdist) as sdist:
        names = {name.removeprefix(f"{top}/") for name in sdist.getnames()}
    for needed in ("pyproject.toml", "README.md", "resources/gradedesk.desktop",
                   f"resources/{APP_ID}.metainfo.xml",
                   f"resources/icons/hicolor/512x512/apps/{APP_ID}.png",
                   "packaging/build", "packaging/gradedesk.spec", "packaging/install.sh.in",
                   "packaging/render_icons.py"):
        assert needed in names, needed
    assert {f"app/{name}" for name in _source_files(".sql")} <= names


def test_the_wheel_alone_opens_a_database(artifacts: Artifacts, tmp_path: Path) -> None:
    """Installed without the source tree next to it, the migrations are found in the wheel."""
    target = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                              "--no-index", "--target", str(target), str(artifacts.wheel)],
                             capture_output=True, text=True, timeout=300, check=False)
    assert install.returncode == 0, install.stderr
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    where = subprocess.run([sys.executable, "-c", "import gradedesk; print(gradedesk.__file__)"],
                           capture_output=True, text=True, env=env, timeout=60, check=True)
    assert Path(where.stdout.strip()).is_relative_to(target)
    status = subprocess.run([sys.executable, "-m", "gradedesk", "--data-dir",
                             str(tmp_path / "data"), "status", "--json"],
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    assert status.returncode == 0, status.stderr
    assert '"connections": []' in status.stdout
    assert (tmp_path / "data" / "gradedesk.sqlite3").is_file()
