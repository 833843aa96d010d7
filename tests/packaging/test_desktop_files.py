"""The desktop entry, the AppStream metadata and the icons in resources/: valid for the
freedesktop tools, consistent with each other and with the app, and the icons real pictures
(rendered by packaging/render_icons.py, which these tests also run)."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from shipping_support import APP_ID, ROOT

from gradedesk import __version__
from gradedesk.store import SyncState

pytestmark = pytest.mark.packaging

RESOURCES = ROOT / "resources"
DESKTOP = RESOURCES / "gradedesk.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"
ICONS = RESOURCES / "icons"
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
STATE_ICON_SIZE = 64
SCREENSHOT_URL_PREFIX = "https://raw.githubusercontent.com/gradedesk/gradedesk/main/"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:  # never a skip: the README's test command installs both tools
        pytest.fail(f"{name} not found: apt-get install appstream desktop-file-utils")
    return found


def desktop_entry() -> dict[str, str]:
    lines = DESKTOP.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if "=" in line)


def parse(path: Path) -> ET.Element:
    return ET.parse(path).getroot()  # noqa: S314 - files of this repository, not input


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_desktop_entry_is_valid() -> None:
    done = subprocess.run([tool("desktop-file-validate"), str(DESKTOP)], capture_output=True,
                          text=True, timeout=60, check=False)
    # Hints count too: an entry that validates silently.
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_metainfo_is_valid() -> None:
    done = subprocess.run([tool("appstreamcli"), "validate", "--no-net", "--strict",
                           str(METAINFO)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_metainfo_desktop_entry_and_app_agree() -> None:
    component = parse(METAINFO)
    entry = desktop_entry()
    assert component.findtext("id") == APP_ID
    launchable = component.findtext("launchable[@type='desktop-id']")
    assert launchable == DESKTOP.name
    assert component.findtext("icon[@type='stock']") == entry["Icon"] == APP_ID
    assert component.findtext("provides/binary") == entry["Exec"].split()[0] == "gradedesk"
    assert component.findtext("name") == entry["Name"]
    # The window tells the desktop which entry it belongs to (Wayland's app id).
    assert f'setDesktopFileName("{DESKTOP.stem}")' in (
        ROOT / "app" / "gradedesk" / "ui" / "app.py").read_text(encoding="utf-8")

    releases = component.findall("releases/release")
    assert releases and releases[0].get("version") == __version__
    assert releases[0].find("description") is not None


def test_every_screenshot_is_a_readme_picture_of_its_stated_size() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    screenshots = parse(METAINFO).findall("screenshots/screenshot")
    assert len(screenshots) >= 4
    assert [shot.get("type") for shot in screenshots].count("default") == 1
    for shot in screenshots:
        assert (shot.findtext("caption") or "").strip()
        image = shot.find("image")
        assert image is not None and image.text is not None
        assert image.text.startswith(SCREENSHOT_URL_PREFIX), image.text
        relative = image.text.removeprefix(SCREENSHOT_URL_PREFIX)
        assert f"]({relative})" in readme, f"the README does not show {relative}"
        assert png_size(ROOT / relative) == (int(image.get("width", 0)),
                                              int(image.get("height", 0)))


def _assert_a_picture(path: Path, size: int) -> None:
    """A PNG of that size with something drawn: opaque pixels in more than one colour."""
    from PySide6.QtGui import QImage

    assert png_size(path) == (size, size), path
    image = QImage(str(path))
    assert not image.isNull(), path
    opaque = {image.pixel(x, y) for x in range(size) for y in range(size)
              if image.pixelColor(x, y).alpha() > 200}
    assert len(opaque) >= 2, f"{path} is blank"


@pytest.mark.gui  # reads the PNGs with Qt
def test_the_app_icon_at_every_size() -> None:
    for size in HICOLOR_SIZES:
        _assert_a_picture(ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png", size)
    scalable = ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == (RESOURCES / "gradedesk.svg").read_bytes()


@pytest.mark.gui  # reads the PNGs with Qt; the colours come from the window's own table
def test_the_state_icons_in_the_windows_colours() -> None:
    from gradedesk.ui.sync_states import LOOKS

    for state in SyncState:
        for suffix, colour in (("", LOOKS[state].light), ("-dark", LOOKS[state].dark)):
            _assert_a_picture(ICONS / "states" / f"{state.value}{suffix}.png", STATE_ICON_SIZE)
            svg = parse(ICONS / "states" / f"{state.value}{suffix}.svg")
            assert svg.get("width") == svg.get("height") == str(STATE_ICON_SIZE)
            assert colour in ET.tostring(svg, encoding="unicode"), (state, suffix)


@pytest.mark.gui  # the script draws with Qt
def test_the_render_script_makes_every_committed_icon(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "render_icons.py"),
                           "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    made = {path.relative_to(tmp_path) for path in tmp_path.rglob("*") if path.is_file()}
    committed = {path.relative_to(ICONS) for path in ICONS.rglob("*") if path.is_file()}
    assert made == committed
    assert len(made) == len(HICOLOR_SIZES) + 1 + 4 * len(SyncState)
