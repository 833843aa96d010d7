"""The comment bank chooser, shared by the detail panel and grading mode: the comments kept
for a line item, one of which is added to the comment being written."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QWidget


class CommentBankBox(QComboBox):
    """Choosing a kept comment adds it to ``target`` (on a new line after any text there)
    and the box goes back to its prompt."""

    def __init__(self, target: QPlainTextEdit, parent: QWidget | None = None, *,
                 prompt: str = "Insert a kept comment…", shown_chars: int = 60) -> None:
        super().__init__(parent)
        self._target = target
        self._prompt = prompt
        self._shown_chars = shown_chars
        self.setAccessibleName("Comment bank")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.activated.connect(self._on_activated)

    def set_texts(self, texts: Sequence[str]) -> None:
        self.clear()
        self.addItem(self._prompt if texts else "No kept comments yet")
        cut = self._shown_chars
        for text in texts:
            self.addItem(text if len(text) <= cut else text[:cut - 1] + "…", text)

    def _on_activated(self, index: int) -> None:
        text = self.itemData(index)
        if isinstance(text, str):
            current = self._target.toPlainText().strip()
            self._target.setPlainText(f"{current}\n{text}" if current else text)
        self.setCurrentIndex(0)
