"""How a sync state looks: a word, an icon shape and a colour, never the colour alone.

Colours come in a light-background and a dark-background variant, picked from the palette in
use, so the window follows the system palette (light or dark) and stays legible.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from gradedesk.store import SyncState
from gradedesk.ui.icons import state_icon


@dataclass(frozen=True, slots=True)
class StateLook:
    label: str  # the word shown beside the icon
    meaning: str  # the legend's explanation
    light: str  # colour on a light background
    dark: str  # colour on a dark background


LOOKS: dict[SyncState, StateLook] = {
    SyncState.CLEAN: StateLook("Synced", "Matches the platform; no local change.",
                               "#5f6b76", "#a9b4bf"),
    SyncState.EDITED: StateLook("Edited", "Changed here; not queued for sending yet.",
                                "#8a5a00", "#f0c060"),
    SyncState.QUEUED: StateLook("Queued", "Saved here; will be sent on the next push.",
                                "#1f5fa8", "#7fb4f0"),
    SyncState.SENDING: StateLook("Sending", "Sent or being sent; waiting for the platform to "
                                 "confirm.", "#5b3fa8", "#b9a4f0"),
    SyncState.AWAITING_FILES: StateLook("Files pending", "Grade confirmed; a file is still "
                                        "being attached.", "#2d6f73", "#86d0d4"),
    SyncState.CONFLICT: StateLook("Conflict", "Someone changed this grade on the platform "
                                  "after your edit: choose whose to keep.", "#b3261e", "#ff8a80"),
    SyncState.FAILED: StateLook("Failed", "The platform refused or could not be reached; see "
                                "the detail panel.", "#b3261e", "#ff8a80"),
    SyncState.REFUSED: StateLook("Refused", "The platform will not take this grade (not a "
                                 "student, gone, not allowed): edit it again or discard it.",
                                 "#b3261e", "#ff8a80"),
    SyncState.CONFIRMED: StateLook("Confirmed", "Sent and read back from the platform.",
                                   "#1e7b34", "#7fd48f"),
    SyncState.MISMATCH: StateLook("Differs", "Sent and accepted, but the platform kept "
                                  "something else; see the detail panel.", "#9a4a00",
                                  "#ffb070"),
}


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def state_color(state: SyncState, palette: QPalette | None = None) -> QColor:
    look = LOOKS[state]
    return QColor(look.dark if is_dark(palette) else look.light)


def state_icon_for(state: SyncState, palette: QPalette | None = None) -> QIcon:
    return state_icon(state, state_color(state, palette).rgba())


def state_label(state: SyncState) -> str:
    return LOOKS[state].label


def warning_color(palette: QPalette | None = None) -> QColor:
    """For refused input and errors: the conflict red, palette-aware."""
    return state_color(SyncState.CONFLICT, palette)


READABLE_CONTRAST = 4.5  # WCAG AA for body text


def relative_luminance(color: QColor) -> float:
    """WCAG 2's relative luminance of an opaque colour."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (0.2126 * linear(color.redF()) + 0.7152 * linear(color.greenF())
            + 0.0722 * linear(color.blueF()))


def contrast_ratio(first: QColor, second: QColor) -> float:
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _over(color: QColor, background: QColor) -> QColor:
    """A translucent colour as it shows on an opaque background."""
    alpha = color.alphaF()
    return QColor.fromRgbF(color.redF() * alpha + background.redF() * (1 - alpha),
                           color.greenF() * alpha + background.greenF() * (1 - alpha),
                           color.blueF() * alpha + background.blueF() * (1 - alpha))


def _mix(start: QColor, end: QColor, amount: float) -> QColor:
    return QColor.fromRgbF(start.redF() + (end.redF() - start.redF()) * amount,
                           start.greenF() + (end.greenF() - start.greenF()) * amount,
                           start.blueF() + (end.blueF() - start.blueF()) * amount)


def muted_text_color(palette: QPalette | None = None) -> QColor:
    """A quieter text colour for the grid (the platform's comment beside a new one, "Needs
    grading") that still reads at 4.5:1 on the grid's backgrounds: the palette's placeholder
    grey (about 4:1 in the usual palettes) moved toward the text colour until it does."""
    palette = palette or QApplication.palette()
    base = palette.color(QPalette.ColorRole.Base)
    backgrounds = (base, _over(palette.color(QPalette.ColorRole.AlternateBase), base))
    text = _over(palette.color(QPalette.ColorRole.Text), base)
    start = _over(palette.color(QPalette.ColorRole.PlaceholderText), base)
    for step in range(11):
        candidate = _mix(start, text, step / 10)
        if min(contrast_ratio(candidate, bg) for bg in backgrounds) >= READABLE_CONTRAST + 0.1:
            return candidate
    return text


def readable_placeholders(palette: QPalette) -> QPalette:
    """A palette whose placeholder text (a filter's hint, an empty field's) reads at 4.5:1."""
    fixed = QPalette(palette)
    # Disabled too: a field waiting for a selection still says what it is for.
    fixed.setColor(QPalette.ColorRole.PlaceholderText, muted_text_color(palette))
    return fixed


def extra_credit_color(palette: QPalette | None = None) -> QColor:
    """The "+" badge of a score above its maximum: a teal of its own, not a sync state's."""
    return QColor("#64d8cb" if is_dark(palette) else "#00796b")
