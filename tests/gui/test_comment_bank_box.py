"""The comment bank chooser of the detail panel and grading mode: a kept comment chosen is
added to the comment being written, on a line of its own, and the chooser goes back to its
prompt; a long comment is shortened in the list only."""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from gradedesk.ui.views.comment_bank_box import CommentBankBox

LONG = "Explain each step of the method and name the units of every quantity you report."


def test_a_kept_comment_is_added_to_what_is_written(qtbot: QtBot) -> None:
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    box = CommentBankBox(editor, shown_chars=30)
    qtbot.addWidget(box)
    box.set_texts([])
    assert [box.itemText(i) for i in range(box.count())] == ["No kept comments yet"]
    box.set_texts(["Good work.", LONG])
    assert box.itemText(0) == "Insert a kept comment…"
    assert box.itemText(2) == LONG[:29] + "…" and box.itemData(2) == LONG
    box.activated.emit(1)
    assert editor.toPlainText() == "Good work."
    box.activated.emit(2)
    assert editor.toPlainText() == f"Good work.\n{LONG}"  # the whole text, not the shortened
    assert box.currentIndex() == 0
    box.activated.emit(0)  # the prompt adds nothing
    assert editor.toPlainText() == f"Good work.\n{LONG}"
