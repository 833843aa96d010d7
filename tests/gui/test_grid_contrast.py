"""Readable (issue 11, item 9): every colour the grids, the legend and the detail panel draw
text in reads at 4.5:1 or better against its background (WCAG 2 AA); typing into a column
that cannot be edited says why nothing happened."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from gradedesk.store import SyncState, drafts
from gradedesk.ui.models.base import READ_ONLY_REASON
from gradedesk.ui.models.gradebook_model import FIXED_COLUMNS
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.sync_states import LOOKS, extra_credit_color
from gradedesk.ui.views.grade_table import GradeTableView
from gradedesk.ui.views.main_window import MainWindow

AA = 4.5
SAVE_MS = 10_000


def _luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF())
            + 0.0722 * channel(color.blueF()))


def _opaque(color: QColor, background: QColor) -> QColor:
    alpha = color.alphaF()
    return QColor.fromRgbF(*(getattr(color, part)() * alpha
                             + getattr(background, part)() * (1 - alpha)
                             for part in ("redF", "greenF", "blueF")))


def contrast(text: QColor, background: QColor) -> float:
    """The WCAG 2 contrast ratio of text (possibly translucent) on an opaque background."""
    first, second = _luminance(_opaque(text, background)), _luminance(background)
    light, dark = max(first, second), min(first, second)
    return (light + 0.05) / (dark + 0.05)


def test_the_helper_matches_known_ratios() -> None:
    assert round(contrast(QColor("black"), QColor("white")), 1) == 21.0
    assert round(contrast(QColor("#767676"), QColor("white")), 2) == 4.54
    assert round(contrast(QColor(0, 0, 0, 128), QColor("white")), 1) == 4.0  # Qt's grey hint


def _grid_backgrounds(table: GradeTableView) -> list[QColor]:
    palette = table.palette()
    base = palette.color(QPalette.ColorRole.Base)
    return [base, _opaque(palette.color(QPalette.ColorRole.AlternateBase), base)]


def _cell_colors(table: GradeTableView) -> dict[str, QColor]:
    """Every text colour the table's cells use, by where it was seen."""
    model = table.model()
    default = table.palette().color(QPalette.ColorRole.Text)
    found: dict[str, QColor] = {}
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            if not index.data():
                continue
            color = index.data(Qt.ItemDataRole.ForegroundRole)
            color = color.color() if hasattr(color, "color") else color
            chosen = QColor(color) if color is not None else default
            seen = chosen.name(QColor.NameFormat.HexArgb)
            if not any(key.startswith(seen) for key in found):
                found[f"{seen} (e.g. {index.data()!r})"] = chosen
    return found


def test_every_cell_colour_reads_on_the_grid(window: MainWindow, qtbot: QtBot) -> None:
    model = window.line_model
    # A new comment beside the platform's (shown quieter), and a state or two.
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        model.setData(model.index(0, Column.SCORE), "3")
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        model.setData(model.index(1, Column.COMMENT), "New words")
    assert any(r.server_comment and not r.new_comment for r in model.rows())
    problems = []
    colors = _cell_colors(window.line_table)
    assert len({c.name() for c in colors.values()}) >= 3  # text, quieter comment, states
    for where, color in colors.items():
        for background in _grid_backgrounds(window.line_table):
            ratio = contrast(color, background)
            if ratio < AA:
                problems.append(f"line item {where} on {background.name()}: {ratio:.2f}")
    with qtbot.waitSignal(window.view_ready, timeout=SAVE_MS):
        window.window_actions.gradebook_view.trigger()
    book = window.gradebook_model
    pending = [book.index(r, c) for r in range(book.rowCount())
               for c in range(FIXED_COLUMNS, book.columnCount())
               if book.index(r, c).data() == "Needs grading"]
    assert pending  # the quieter "Needs grading" is among the colours checked
    for where, color in _cell_colors(window.gradebook_table).items():
        for background in _grid_backgrounds(window.gradebook_table):
            ratio = contrast(color, background)
            if ratio < AA:
                problems.append(f"gradebook {where} on {background.name()}: {ratio:.2f}")
    assert not problems, problems


def test_state_colours_read_in_light_and_dark_palettes(window: MainWindow) -> None:
    palette = window.line_table.palette()
    light_backgrounds = [palette.color(QPalette.ColorRole.Base),
                         palette.color(QPalette.ColorRole.AlternateBase),
                         palette.color(QPalette.ColorRole.Window)]
    dark_backgrounds = [QColor("#1e1e1e"), QColor("#2b2b2b"), QColor("#353535")]
    problems = [f"{state.name} {look.light} on {bg.name()}"
                for state, look in LOOKS.items() for bg in light_backgrounds
                if contrast(QColor(look.light), bg) < AA]
    problems += [f"{state.name} {look.dark} on {bg.name()}"
                 for state, look in LOOKS.items() for bg in dark_backgrounds
                 if contrast(QColor(look.dark), bg) < AA]
    assert contrast(QColor("white"), extra_credit_color()) >= AA  # the "+" badge
    assert not problems, problems


def _visible_text_labels(root: QWidget) -> list[QLabel]:
    return [label for label in root.findChildren(QLabel)
            if label.isVisibleTo(root) and label.text().strip()
            and not label.pixmap().width()]


def _label_color(label: QLabel) -> QColor:
    sheet = label.styleSheet()
    if "color:" in sheet and "palette(" not in sheet:
        return QColor(sheet.split("color:")[1].split(";")[0].strip())
    group = QPalette.ColorGroup.Active if label.isEnabled() else QPalette.ColorGroup.Disabled
    return label.palette().color(group, label.foregroundRole())


def test_legend_and_detail_panel_text_reads(window: MainWindow, qtbot: QtBot) -> None:
    problems = []
    window.detail.show_detail(None)  # nothing selected: the "—" and "No submission." labels
    for root in (window.legend, window.detail):
        background = root.palette().color(QPalette.ColorRole.Window)
        for label in _visible_text_labels(root):
            ratio = contrast(_label_color(label), background)
            if ratio < AA:
                problems.append(f"{label.accessibleName()} {label.text()!r}: {ratio:.2f}")
    # With a cell shown, the state line is in the state's colour.
    model = window.line_model
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        model.setData(model.index(2, Column.SCORE), "4")
    window.line_table.setCurrentIndex(model.index(2, Column.SCORE))
    qtbot.waitUntil(lambda: window.detail.detail is not None
                    and window.detail.detail.grade.state is not SyncState.CLEAN,
                    timeout=SAVE_MS)
    state = window.detail.state_text
    ratio = contrast(_label_color(state), window.detail.palette().color(QPalette.ColorRole.Window))
    if ratio < AA:
        problems.append(f"state line {state.text()!r}: {ratio:.2f}")
    assert not problems, problems


def test_hints_in_empty_fields_read(window: MainWindow) -> None:
    fields: list[QWidget] = [window.filter_text, window.detail.comment_edit,
                             window.detail.file_url]
    for field in fields:
        assert isinstance(field, QLineEdit | QPlainTextEdit)
        assert field.placeholderText()
        palette = field.palette()
        ratio = contrast(palette.color(QPalette.ColorRole.PlaceholderText),
                         palette.color(QPalette.ColorRole.Base))
        assert ratio >= AA, (field.accessibleName(), ratio)


def _draft_count(window: MainWindow) -> int:
    connection = window.presenter.connection
    assert connection is not None
    return len(drafts.list_drafts(window.presenter.context.db, connection.id))


def test_typing_into_a_read_only_column_says_why(window: MainWindow, qtbot: QtBot) -> None:
    table, model = window.line_table, window.line_model
    before = _draft_count(window)
    table.setFocus()
    table.setCurrentIndex(model.index(1, Column.SUBMISSION))
    qtbot.keyClick(table, "x")
    assert table.bubble.isVisible()
    assert table.bubble.text() == READ_ONLY_REASON
    assert table.bubble.text() == "This column comes from the platform; it cannot be edited here."
    table.bubble.hide()
    table.setCurrentIndex(model.index(1, Column.MAXIMUM))
    qtbot.keyClick(table, "5")
    assert table.bubble.isVisible() and "maximum" in table.bubble.text()
    table.bubble.hide()
    qtbot.keyClick(table, Qt.Key.Key_Delete)  # Delete on it says so too
    assert table.bubble.isVisible()
    table.bubble.hide()
    # In the names, a letter that starts no name says so; one that does jumps there.
    table.setCurrentIndex(model.index(0, Column.NAME))
    qtbot.keyClick(table, "~")
    assert table.bubble.isVisible()
    table.bubble.hide()
    last = model.rowCount() - 1
    initial = model.index(last, Column.NAME).data()[0]
    qtbot.wait(1_000)  # a new keyboard search, not the continuation of "~"
    qtbot.keyClick(table, initial)
    assert table.currentIndex().row() != 0 or model.index(0, 0).data()[0] == initial
    assert not table.bubble.isVisible()
    # Typing into a cell that can be edited still opens the editor, no bubble.
    table.setCurrentIndex(model.index(1, Column.SCORE))
    qtbot.keyClick(table, "7")
    assert not table.bubble.isVisible()
    qtbot.keyClick(table, Qt.Key.Key_Escape)
    assert _draft_count(window) == before  # nothing typed anywhere was saved
