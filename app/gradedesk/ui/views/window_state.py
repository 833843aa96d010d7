"""What the window keeps in QSettings between runs: geometry, splitter, detail panel shown,
and the last connection, line item and view. Never anything secret."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

from gradedesk.ui.navigation import NavTarget


@dataclass(frozen=True, slots=True)
class LastView:
    target: NavTarget | None
    mode: str | None
    detail_visible: bool


def restore_layout(settings: QSettings, window: QMainWindow, splitter: QSplitter) -> None:
    for key, restore in (("window/geometry", window.restoreGeometry),
                         ("window/state", window.restoreState),
                         ("window/splitter", splitter.restoreState)):
        value = settings.value(key)
        if isinstance(value, QByteArray):
            restore(value)


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
