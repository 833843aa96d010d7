"""The Linux tarball as a user gets it: unpacked, installed with install.sh into their own
folders, run from the launcher (version, the CLI tour, the window rendered offscreen and on an
X server, with the keyring found the way a desktop session finds it), and uninstalled."""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from shipping_support import APP_ID, ROOT, Artifacts, user_environment

from gradedesk import __version__
from gradedesk.secrets import SERVICE
from keyring_plugin import PrivateKeyring, wipe_service

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]

RUN_TIMEOUT_S = 120
HICOLOR_SIZES = ("16x16", "22x22", "24x24", "32x32", "48x48", "64x64", "128x128", "256x256",
                 "512x512")
# Libraries only the bundle can provide: one missing is a broken bundle, not a missing system
# package (the system's own libraries, such as libEGL, come from the user's distribution).
BUNDLE_ONLY = re.compile(r"^lib(Qt6|icu|pyside6|shiboken6|python3)")
# Qt parts GradeDesk never loads; finding one means the spec's pruning stopped working.
UNUSED_QT = re.compile(r"libQt6(Quick|Qml|Pdf|WebEngine|3D|Multimedia|Network|VirtualKeyboard)")


@dataclass(frozen=True, slots=True)
class UserInstall:
    home: Path
    data_home: Path
    launcher: Path
    program: Path  # the installed bundle folder
    env: dict[str, str]
    output: str  # what install.sh printed


def run(args: list[str | Path], env: dict[str, str], *,
        timeout: float = RUN_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(arg) for arg in args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def unpack(tarball: Path, into: Path) -> Path:
    """The tarball's one top folder, unpacked as `tar -xzf` would."""
    into.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        tops = {Path(member.name).parts[0] for member in archive.getmembers()}
        assert tops == {tarball.name.removesuffix(".tar.gz")}, tops
        archive.extractall(into, filter="tar")
    return into / tops.pop()


def install(artifacts: Artifacts, root: Path, **xdg: str) -> UserInstall:
    home = root / "home"
    home.mkdir(parents=True)
    env = user_environment(home, **xdg)
    unpacked = unpack(artifacts.tarball, root / "download")
    done = run([unpacked / "install.sh"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    data_home = Path(xdg.get("XDG_DATA_HOME", home / ".local" / "share"))
    return UserInstall(home=home, data_home=data_home,
                       launcher=home / ".local" / "bin" / "gradedesk",
                       program=data_home / "gradedesk", env=env, output=done.stdout)


@pytest.fixture(scope="module")
def installed(artifacts: Artifacts, tmp_path_factory: pytest.TempPathFactory) -> UserInstall:
    """One install for the tests that only run the program, with a custom XDG_DATA_HOME."""
    root = tmp_path_factory.mktemp("user")
    return install(artifacts, root, XDG_DATA_HOME=str(root / "xdg-data"))


def test_install_then_uninstall_leaves_the_grades(artifacts: Artifacts, tmp_path: Path) -> None:
    user = install(artifacts, tmp_path)  # no XDG_DATA_HOME: ~/.local/share
    grades = user.data_home / "GradeDesk" / "gradedesk.sqlite3"
    grades.parent.mkdir(parents=True)
    grades.write_bytes(b"a stand-in for the user's grades")

    assert user.launcher.is_symlink()
    assert user.launcher.resolve() == (user.program / "gradedesk").resolve()
    assert "installed in" in user.output and str(user.launcher) in user.output
    done = run([user.launcher, "--version"], user.env)
    assert (done.returncode, done.stdout.strip()) == (0, f"gradedesk {__version__}")

    entry = user.data_home / "applications" / "gradedesk.desktop"
    check = run(["desktop-file-validate", entry], user.env)
    assert (check.returncode, check.stdout + check.stderr) == (0, "")
    lines = entry.read_text(encoding="utf-8").splitlines()
    assert f'Exec="{user.launcher}" gui' in lines
    assert f"TryExec={user.launcher}" in lines
    assert f"Icon={APP_ID}" in lines

    icons = user.data_home / "icons" / "hicolor"
    for size in HICOLOR_SIZES:
        assert (icons / size / "apps" / f"{APP_ID}.png").is_file(), size
    assert (icons / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    metainfo = user.data_home / "metainfo" / f"{APP_ID}.metainfo.xml"
    check = run(["appstreamcli", "validate", "--no-net", metainfo], user.env)
    assert check.returncode == 0, check.stdout + check.stderr

    placed = [line for line in (user.program / "installed-files").read_text().splitlines()
              if line]
    assert len(placed) == 1 + 1 + len(HICOLOR_SIZES) + 1 + 1  # link, entry, icons, metainfo

    again = run([user.program / "install.sh"], user.env)  # from the installed copy: refused
    assert again.returncode != 0 and "no gradedesk/gradedesk" in again.stderr
    unpacked = tmp_path / "download" / artifacts.tarball.name.removesuffix(".tar.gz")
    again = run([unpacked / "install.sh"], user.env)  # an update replaces the install
    assert again.returncode == 0 and "Replacing" in again.stdout, again.stderr

    gone = run([user.program / "install.sh", "--uninstall"], user.env)
    assert gone.returncode == 0, gone.stderr
    for path in (*map(Path, placed), user.program):
        assert not path.exists() and not path.is_symlink(), path
    assert grades.read_bytes() == b"a stand-in for the user's grades"
    assert "grades are still in" in gone.stdout
    twice = run([unpacked / "install.sh", "--uninstall"], user.env)
    assert twice.returncode == 0 and "not installed" in twice.stdout


def test_install_refuses_what_it_did_not_make(artifacts: Artifacts, tmp_path: Path) -> None:
    home = tmp_path / "home"
    unpacked = unpack(artifacts.tarball, tmp_path / "download")
    env = user_environment(home)
    # A gradedesk command of another kind (pip install --user) is left alone...
    other_command = home / ".local" / "bin" / "gradedesk"
    other_command.parent.mkdir(parents=True)
    other_command.write_text("#!/bin/sh\necho pip's gradedesk\n")
    done = run([unpacked / "install.sh"], env)
    assert done.returncode != 0 and f"{other_command} exists" in done.stderr
    assert other_command.read_text() == "#!/bin/sh\necho pip's gradedesk\n"
    other_command.unlink()
    # ... and so is a folder of that name that install.sh did not make.
    someone_elses = home / ".local" / "share" / "gradedesk"
    someone_elses.mkdir(parents=True)
    (someone_elses / "notes.txt").write_text("mine")
    for args in ([], ["--uninstall"]):
        done = run([unpacked / "install.sh", *args], env)
        assert done.returncode != 0 and "not made by install.sh" in done.stderr
    assert (someone_elses / "notes.txt").read_text() == "mine"


def test_version(installed: UserInstall) -> None:
    done = run([installed.launcher, "--version"], installed.env)
    assert (done.returncode, done.stdout.strip()) == (0, f"gradedesk {__version__}")


def test_the_cli_tour(installed: UserInstall) -> None:
    done = run([installed.launcher, "demo"], installed.env)
    assert done.returncode == 0, done.stderr
    assert "Biology 101" in done.stdout and "6 line items:" in done.stdout
    assert "Lab 1: Microscopy" in done.stdout


@pytest.fixture
def x_display() -> Iterator[str]:
    """A private X server (Xvfb) for the window on the xcb platform plugin."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("Xvfb not found; install xvfb (the README's test command does)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen([xvfb, "-displayfd", str(write_fd), "-nolisten", "tcp",
                               "-screen", "0", "1600x1000x24"], pass_fds=[write_fd],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    os.close(write_fd)
    try:
        ready, _, _ = select.select([read_fd], [], [], 30)
        number = os.read(read_fd, 16).decode().strip() if ready else ""
        assert number.isdigit(), "Xvfb did not report its display"
        yield f":{number}"
    finally:
        os.close(read_fd)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


@pytest.mark.parametrize("platform", ["offscreen", "xcb"])
def test_the_window_on_the_sandbox(installed: UserInstall, tmp_path: Path,
                                   private_keyring: PrivateKeyring, platform: str,
                                   request: pytest.FixtureRequest) -> None:
    env = dict(installed.env)
    # As in a desktop session: no backend named, so the bundle must find its Secret Service
    # backend by itself (entry points and backends bundled); the bus is the private one.
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env["DBUS_SESSION_BUS_ADDRESS"] = private_keyring.bus_address
    env["QT_QPA_PLATFORM"] = platform
    if platform == "xcb":
        env["DISPLAY"] = request.getfixturevalue("x_display")
    picture = tmp_path / "window.png"
    try:
        done = run([installed.launcher, "--data-dir", tmp_path / "data", "gui", "--screenshot",
                    picture, "--sandbox", "--size", "1280x800"], env)
        assert done.returncode == 0, done.stdout + done.stderr
        # The sandbox connection's key went into the keyring, through the bundled backend.
        assert wipe_service(SERVICE) >= 1
    finally:
        wipe_service(SERVICE)
    assert_a_picture(picture, (1280, 800))


def assert_a_picture(path: Path, size: tuple[int, int]) -> None:
    """A PNG of that size showing a window: many colours, not one flat fill."""
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not a picture"
    assert (image.width(), image.height()) == size
    colours = {image.pixel(x, y) for x in range(0, image.width(), 8)
               for y in range(0, image.height(), 8)}
    assert len(colours) >= 20, f"only {len(colours)} colours: a blank window?"


def test_every_bundled_library_finds_what_only_the_bundle_has(installed: UserInstall) -> None:
    internal = installed.program / "_internal"
    folders = sorted({str(path.parent) for path in internal.rglob("*.so*")})
    env = {**installed.env, "LD_LIBRARY_PATH": ":".join([str(internal), *folders])}
    checked = 0
    for path in sorted(internal.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        done = run(["ldd", path], env)
        missing = [line.split()[0] for line in done.stdout.splitlines() if "not found" in line]
        assert not [name for name in missing if BUNDLE_ONLY.match(name)], (path, missing)
        checked += 1
    assert checked > 50


def test_the_bundle_is_lean_and_has_what_it_loads(installed: UserInstall,
                                                  artifacts: Artifacts) -> None:
    internal = installed.program / "_internal"
    names = {path.name for path in internal.rglob("*")}
    assert not [name for name in names if UNUSED_QT.search(name)]
    assert not [name for name in names if "translations" in name]
    plugins = internal / "PySide6" / "Qt" / "plugins"
    for plugin in ("platforms/libqxcb.so", "platforms/libqoffscreen.so",
                   "platforms/libqwayland.so", "platformthemes/libqxdgdesktopportal.so",
                   "platforminputcontexts/libibusplatforminputcontextplugin.so"):
        assert (plugins / plugin).is_file(), plugin
    migrations = sorted(p.name for p in (internal / "gradedesk/store/migrations").glob("*.sql"))
    shipped = sorted(p.name for p in (ROOT / "app/gradedesk/store/migrations").glob("*.sql"))
    assert migrations == shipped and migrations
    assert not [path for path in internal.rglob("*") if path.is_symlink() and not path.exists()]

    # The Python modules inside the program's archive: every system's keyring backend is
    # named in the spec, so a build on that system includes it.
    viewer = artifacts.build_venv / "bin" / "pyi-archive_viewer"
    listing = run([viewer, "-r", "-b", installed.program / "gradedesk"], installed.env)
    assert listing.returncode == 0, listing.stderr
    modules = {line.strip() for line in listing.stdout.splitlines()}
    for module in ("keyring.backends.SecretService", "keyring.backends.macOS",
                   "keyring.backends.Windows", "secretstorage", "gradedesk.sandbox.server",
                   "gradedesk.ui.views.main_window", "uvicorn.protocols.http.h11_impl"):
        assert module in modules, module
    assert not [m for m in modules if m.split(".")[0] in ("pytest", "hypothesis", "mypy")]

    size_mb = sum(p.stat().st_size for p in internal.rglob("*")
                  if p.is_file() and not p.is_symlink()) / 2**20
    assert size_mb < 200, f"the bundle grew to {size_mb:.0f} MB"
