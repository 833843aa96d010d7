"""Icons drawn from vector shapes at several pixel sizes, so they stay sharp at any device pixel
ratio and need no image files. Each sync state has its own *shape* (not only a colour)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from gradedesk.store import SyncState

_SIZES = (16, 20, 24, 32, 48, 64)

Painter = Callable[[QPainter, float, QColor], None]


def _draw(paint: Painter, color: QColor) -> QIcon:
    icon = QIcon()
    for size in _SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint(painter, float(size), color)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def _pen(color: QColor, size: float, weight: float = 0.11) -> QPen:
    pen = QPen(color, max(1.2, size * weight))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _circle_outline(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(_pen(c, s, 0.08))
    p.drawEllipse(QRectF(s * 0.22, s * 0.22, s * 0.56, s * 0.56))


def _pencil(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(_pen(c, s))
    p.drawLine(QPointF(s * 0.25, s * 0.75), QPointF(s * 0.72, s * 0.28))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawPolygon(QPolygonF([QPointF(s * 0.14, s * 0.86), QPointF(s * 0.3, s * 0.82),
                             QPointF(s * 0.18, s * 0.7)]))


def _clock(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(_pen(c, s, 0.09))
    p.drawEllipse(QRectF(s * 0.15, s * 0.15, s * 0.7, s * 0.7))
    p.drawLine(QPointF(s * 0.5, s * 0.5), QPointF(s * 0.5, s * 0.28))
    p.drawLine(QPointF(s * 0.5, s * 0.5), QPointF(s * 0.66, s * 0.6))


def _arrow_up(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(_pen(c, s, 0.12))
    p.drawLine(QPointF(s * 0.5, s * 0.84), QPointF(s * 0.5, s * 0.2))
    p.drawLine(QPointF(s * 0.5, s * 0.2), QPointF(s * 0.26, s * 0.44))
    p.drawLine(QPointF(s * 0.5, s * 0.2), QPointF(s * 0.74, s * 0.44))


def _paperclip(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(_pen(c, s, 0.09))
    path = QPainterPath(QPointF(s * 0.62, s * 0.3))
    path.lineTo(s * 0.62, s * 0.7)
    path.arcTo(QRectF(s * 0.38, s * 0.58, s * 0.24, s * 0.24), 0, -180)
    path.lineTo(s * 0.38, s * 0.24)
    path.arcTo(QRectF(s * 0.38, s * 0.12, s * 0.34, s * 0.24), 180, -180)
    path.lineTo(s * 0.72, s * 0.66)
    p.drawPath(path)


def _triangle(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(_pen(c, s, 0.09))
    p.drawPolygon(QPolygonF([QPointF(s * 0.5, s * 0.12), QPointF(s * 0.9, s * 0.86),
                             QPointF(s * 0.1, s * 0.86)]))
    p.drawLine(QPointF(s * 0.5, s * 0.38), QPointF(s * 0.5, s * 0.6))
    p.drawPoint(QPointF(s * 0.5, s * 0.74))


def _cross(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(_pen(c, s, 0.09))
    p.drawEllipse(QRectF(s * 0.12, s * 0.12, s * 0.76, s * 0.76))
    p.drawLine(QPointF(s * 0.35, s * 0.35), QPointF(s * 0.65, s * 0.65))
    p.drawLine(QPointF(s * 0.65, s * 0.35), QPointF(s * 0.35, s * 0.65))


def _check(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(_pen(c, s, 0.13))
    p.drawLine(QPointF(s * 0.18, s * 0.52), QPointF(s * 0.42, s * 0.76))
    p.drawLine(QPointF(s * 0.42, s * 0.76), QPointF(s * 0.84, s * 0.26))


def _no_entry(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(_pen(c, s, 0.09))
    p.drawEllipse(QRectF(s * 0.12, s * 0.12, s * 0.76, s * 0.76))
    p.drawLine(QPointF(s * 0.3, s * 0.5), QPointF(s * 0.7, s * 0.5))


def _not_equal(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(_pen(c, s, 0.1))
    p.drawLine(QPointF(s * 0.2, s * 0.4), QPointF(s * 0.8, s * 0.4))
    p.drawLine(QPointF(s * 0.2, s * 0.62), QPointF(s * 0.8, s * 0.62))
    p.drawLine(QPointF(s * 0.62, s * 0.18), QPointF(s * 0.38, s * 0.84))


def _dot(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawEllipse(QRectF(s * 0.3, s * 0.3, s * 0.4, s * 0.4))


def _ring(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(_pen(c, s, 0.09))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QRectF(s * 0.3, s * 0.3, s * 0.4, s * 0.4))


_STATE_SHAPES: dict[SyncState, Painter] = {
    SyncState.CLEAN: _circle_outline,
    SyncState.EDITED: _pencil,
    SyncState.QUEUED: _clock,
    SyncState.SENDING: _arrow_up,
    SyncState.AWAITING_FILES: _paperclip,
    SyncState.CONFLICT: _triangle,
    SyncState.FAILED: _cross,
    SyncState.REFUSED: _no_entry,
    SyncState.CONFIRMED: _check,
    SyncState.MISMATCH: _not_equal,
}


@cache
def state_icon(state: SyncState, rgba: int) -> QIcon:
    """The icon of a sync state in a colour (cached per colour; call on the GUI thread)."""
    return _draw(_STATE_SHAPES[state], QColor.fromRgba(rgba))


def _lock(p: QPainter, s: float, c: QColor) -> None:
    p.setPen(_pen(c, s, 0.09))
    p.setBrush(Qt.BrushStyle.NoBrush)
    shackle = QPainterPath(QPointF(s * 0.34, s * 0.46))
    shackle.lineTo(s * 0.34, s * 0.32)
    shackle.arcTo(QRectF(s * 0.34, s * 0.14, s * 0.32, s * 0.32), 180, -180)
    shackle.lineTo(s * 0.66, s * 0.46)
    p.drawPath(shackle)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawRoundedRect(QRectF(s * 0.22, s * 0.44, s * 0.56, s * 0.42), s * 0.08, s * 0.08)


# A held column's badge: the amber of "not sent yet", on light and on dark backgrounds.
HELD_LIGHT, HELD_DARK = "#8a5a00", "#f0c060"


@cache
def held_icon(dark: bool) -> QIcon:
    """The lock that marks a held column (its grades are not sent until released)."""
    return _draw(_lock, QColor(HELD_DARK if dark else HELD_LIGHT))


@cache
def status_dot(online: bool | None, rgba: int) -> QIcon:
    """A filled dot (online) or a ring (offline / not checked) for the status bar."""
    return _draw(_dot if online else _ring, QColor.fromRgba(rgba))


def app_icon() -> QIcon:
    """GradeDesk's window icon: a rounded sheet with a check mark."""
    def paint(p: QPainter, s: float, c: QColor) -> None:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#2f6fb3"))
        p.drawRoundedRect(QRectF(s * 0.08, s * 0.08, s * 0.84, s * 0.84), s * 0.16, s * 0.16)
        _check(p, s, QColor("white"))
    return _draw(paint, QColor("white"))
