"""What the window keeps in QSettings between runs: geometry, splitter, detail panel shown,
and the last connection, line item and view. Never anything secret."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QRect, QSettings, QSize
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QMainWindow, QSplitter

from gradedesk.ui.navigation import NavTarget


@dataclass(frozen=True, slots=True)
class LastView:
    target: NavTarget | None
    mode: str | None
    detail_visible: bool


# The first window: this share of the screen, and at least this much where the screen allows
# (a gradebook with its side panes needs room; Qt's own choice was 960 x 375).
FIRST_SHARE = 0.8
FIRST_MINIMUM = QSize(1100, 700)


def first_window_size(available: QRect) -> QSize:
    """The size of a window opened for the first time on a screen with this free area."""
    def side(free: int, least: int) -> int:
        return max(round(free * FIRST_SHARE), min(least, free))

    return QSize(side(available.width(), FIRST_MINIMUM.width()),
                 side(available.height(), FIRST_MINIMUM.height()))


def place_first_window(window: QMainWindow) -> None:
    """Size a window that has no saved geometry for its screen, and centre it there."""
    screen: QScreen | None = window.screen()  # None when the system has no screen
    if screen is None:
        return
    available = screen.availableGeometry()
    size = first_window_size(available)
    window.resize(size)
    frame = QRect(available.topLeft(), size)
    frame.moveCenter(available.center())
    window.move(frame.topLeft())


def restore_layout(settings: QSettings, window: QMainWindow, splitter: QSplitter) -> bool:
    """Put back the window's geometry, toolbars and docks, and the panes' widths; False when
    no geometry was saved (a first run: the caller sizes the window)."""
    restored = False
    for key, restore in (("window/geometry", window.restoreGeometry),
                         ("window/state", window.restoreState),
                         ("window/splitter", splitter.restoreState)):
        value = settings.value(key)
        if isinstance(value, QByteArray) and restore(value) and key == "window/geometry":
            restored = True
    return restored


def last_view(settings: QSettings) -> LastView:
    connection = settings.value("view/connection")
    url = settings.value("view/line_item")
    target = NavTarget(connection, url if isinstance(url, str) and url else None) \
        if isinstance(connection, str) and connection else None
    mode = settings.value("view/mode")
    detail = settings.value("view/detail", True)
    return LastView(target, mode if isinstance(mode, str) else None,
                    detail not in (False, "false", "0", 0))


def save_view(settings: QSettings, connection: str | None, line_item_url: str | None,
              mode: str) -> None:
    if connection is None:
        return
    settings.setValue("view/connection", connection)
    settings.setValue("view/line_item", line_item_url or "")
    settings.setValue("view/mode", mode)


def save_layout(settings: QSettings, window: QMainWindow, splitter: QSplitter,
                detail_visible: bool) -> None:
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    settings.setValue("window/splitter", splitter.saveState())
    settings.setValue("view/detail", detail_visible)
