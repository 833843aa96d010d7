"""The review queue for TAs: a line item's results awaiting manual grading, one student at a
time, by keyboard. Score, comment and "mark FullyGraded" are one step (one undo entry).

Keys: Ctrl+Enter grades and goes on, Alt+Right / Alt+Left skip forward and back.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gradedesk.domain import (
    GradingProgress,
    InputError,
    check_score_against_maximum,
    parse_score_input,
)
from gradedesk.ui.loaders import CellDetail, local_time
from gradedesk.ui.models.base import edit_text, format_score
from gradedesk.ui.models.line_item_model import LineItemModel
from gradedesk.ui.presenter import Presenter
from gradedesk.ui.rows import CellKey, StudentGrade
from gradedesk.ui.undo_values import CellChange, Field


class ReviewQueueDialog(QDialog):
    student_shown = Signal(object)  # CellKey

    def __init__(self, presenter: Presenter, model: LineItemModel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.model = model
        self.setWindowTitle("Review queue")
        self.setAccessibleName("Review queue")
        self.setModal(False)
        self.resize(640, 600)
        self.queue: list[CellKey] = []
        self.graded: set[CellKey] = set()
        self.position = 0
        self._line_item_url = ""

        layout = QVBoxLayout(self)
        self.progress = QLabel(self)
        self.progress.setAccessibleName("Review progress")
        font = self.progress.font()
        font.setBold(True)
        self.progress.setFont(font)
        self.student = QLabel(self)
        self.student.setAccessibleName("Student under review")
        big = self.student.font()
        big.setPointSizeF(big.pointSizeF() * 1.3)
        big.setBold(True)
        self.student.setFont(big)
        self.submission_meta = QLabel(self)
        self.submission_meta.setAccessibleName("Submission type")
        self.submission = QPlainTextEdit(self)
        self.submission.setReadOnly(True)
        self.submission.setAccessibleName("Submission data")
        self.previous_comment = QLabel(self)
        self.previous_comment.setAccessibleName("Comment on the platform")
        self.previous_comment.setWordWrap(True)
        form = QFormLayout()
        score_row = QHBoxLayout()
        self.score = QLineEdit(self)
        self.score.setAccessibleName("Score")
        self.score.setPlaceholderText("score")
        self.score.setMaximumWidth(120)
        self.maximum = QLabel(self)
        self.maximum.setAccessibleName("Out of")
        score_row.addWidget(self.score)
        score_row.addWidget(self.maximum)
        score_row.addStretch(1)
        self.comment = QPlainTextEdit(self)
        self.comment.setAccessibleName("Comment")
        self.comment.setPlaceholderText("Comment for the student (optional)")
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(self.fontMetrics().height() * 4 + 12)
        bank_row = QHBoxLayout()
        self.bank = QComboBox(self)
        self.bank.setAccessibleName("Comment bank")
        self.bank.activated.connect(self._on_bank_activated)
        self.keep = QPushButton("Keep in bank", self)
        self.keep.setAccessibleName("Keep comment in bank")
        self.keep.clicked.connect(self._on_keep_clicked)
        bank_row.addWidget(self.bank, 1)
        bank_row.addWidget(self.keep)
        form.addRow("Score", score_row)
        form.addRow("Comment", self.comment)
        form.addRow("Kept comments", bank_row)
        self.error = QLabel(self)
        self.error.setAccessibleName("Review error")
        self.error.setWordWrap(True)
        buttons = QHBoxLayout()
        self.previous_button = QPushButton("◀ Previous (Alt+Left)", self)
        self.previous_button.setAccessibleName("Previous student")
        self.previous_button.clicked.connect(self.go_previous)
        self.grade_button = QPushButton("Mark FullyGraded and next (Ctrl+Enter)", self)
        self.grade_button.setAccessibleName("Mark FullyGraded and go to the next student")
        self.grade_button.setDefault(True)
        self.grade_button.clicked.connect(self.grade_and_next)
        self.next_button = QPushButton("Next (Alt+Right) ▶", self)
        self.next_button.setAccessibleName("Next student")
        self.next_button.clicked.connect(self.go_next)
        buttons.addWidget(self.previous_button)
        buttons.addStretch(1)
        buttons.addWidget(self.grade_button)
        buttons.addWidget(self.next_button)
        layout.addWidget(self.progress)
        layout.addWidget(self.student)
        layout.addWidget(self.submission_meta)
        layout.addWidget(self.submission, 1)
        layout.addWidget(self.previous_comment)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

        for keys, slot in (((QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")),
                            self.grade_and_next),
                           ((QKeySequence("Alt+Right"),), self.go_next),
                           ((QKeySequence("Alt+Left"),), self.go_previous)):
            for sequence in keys:
                shortcut = QShortcut(sequence, self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)
        presenter.comment_bank_loaded.connect(self._on_presenter_comment_bank_loaded)
        model.dataChanged.connect(lambda *_: self._update_progress())

    # --- queue ----------------------------------------------------------------------------

    def start(self) -> None:
        """Take the line item's PendingManual results, in the table's current order."""
        line_item = self.model.line_item
        self._line_item_url = line_item.url if line_item is not None else ""
        rows = [self.model.row_at(r) for r in range(self.model.rowCount())]
        if self.model.filter_spec.text or len(rows) != len(self.model.rows()):
            rows = list(self.model.rows())  # a filter hides some: review them all anyway
        self.queue = [row.key for row in rows if row.pending_manual]
        self.graded = set()
        self.position = 0
        title = line_item.label if line_item is not None else ""
        self.setWindowTitle(f"Review queue — {title}" if title else "Review queue")
        if self._line_item_url:
            self.presenter.load_comment_bank(self._line_item_url)
        self._show_current()

    @property
    def left(self) -> int:
        return len([key for key in self.queue if key not in self.graded])

    def current_row(self) -> StudentGrade | None:
        if not 0 <= self.position < len(self.queue):
            return None
        key = self.queue[self.position]
        for row in self.model.rows():
            if row.key == key:
                return row
        return None

    def _update_progress(self) -> None:
        if not self.queue:
            self.progress.setText("Nothing awaits manual grading in this line item.")
            return
        self.progress.setText(f"Student {self.position + 1} of {len(self.queue)}  ·  "
                              f"{self.left} left to grade")

    def _show_current(self) -> None:
        self.error.setText("")
        row = self.current_row()
        self._update_progress()
        has_row = row is not None
        for widget in (self.score, self.comment, self.grade_button, self.bank, self.keep):
            widget.setEnabled(has_row)
        self.previous_button.setEnabled(self.position > 0)
        self.next_button.setEnabled(self.position < len(self.queue) - 1)
        if row is None:
            self.student.setText("All done." if self.queue else "")
            self.submission_meta.setText("")
            self.submission.setPlainText("")
            self.previous_comment.setText("")
            return
        graded = " (graded)" if row.key in self.graded else ""
        self.student.setText(f"{row.student.name}{graded}")
        self.score.setText(edit_text(row.score))  # every digit: an unchanged score stays
        self.maximum.setText(f"/ {format_score(row.maximum)}")
        self.comment.setPlainText(row.new_comment or "")
        self.previous_comment.setText(f"On the platform: {row.server_comment}"
                                      if row.server_comment else "No comment on the platform.")
        self.submission_meta.setText(row.submission or "Submission")
        self.submission.setPlainText("Loading…")
        self.presenter.fetch_detail(row.key, self._on_detail_fetched)
        self.score.setFocus()
        self.score.selectAll()
        self.student_shown.emit(row.key)

    def _on_detail_fetched(self, detail: CellDetail | None) -> None:
        row = self.current_row()
        if detail is None or row is None or detail.key != row.key:
            return
        when = f", submitted {local_time(detail.submitted_at)}" if detail.submitted_at else ""
        self.submission_meta.setText(f"{row.submission or 'Submission'}{when}")
        self.submission.setPlainText(detail.submission_data or "(no submission text)")

    def go_next(self) -> None:
        if self.position < len(self.queue) - 1:
            self.position += 1
            self._show_current()

    def go_previous(self) -> None:
        if self.position > 0:
            self.position -= 1
            self._show_current()

    def grade_and_next(self) -> bool:
        """Save score, comment and FullyGraded in one undoable step, then show the next
        student still waiting."""
        row = self.current_row()
        if row is None:
            return False
        try:
            score = parse_score_input(self.score.text())
            check_score_against_maximum(score, row.maximum)  # 1e9 for 9: a typo
        except InputError as error:
            self.error.setText(f"⚠ Not saved: {error.user_message}")
            self.score.setFocus()
            return False
        if score is None:
            self.error.setText("⚠ Not saved: type a score to mark this FullyGraded.")
            self.score.setFocus()
            return False
        comment = self.comment.toPlainText().strip() or None
        changes = [CellChange(row.key, Field.SCORE, row.score, score, row.has_draft)]
        if comment != row.new_comment:
            changes.append(CellChange(row.key, Field.COMMENT, row.new_comment, comment,
                                      row.has_draft))
        changes.append(CellChange(row.key, Field.GRADING, row.grading or None,
                                  GradingProgress.FULLY_GRADED, row.has_draft))
        self.presenter.apply_changes(changes, f"Grade {row.student.name}")
        self.graded.add(row.key)
        following = [i for i in range(self.position + 1, len(self.queue))
                     if self.queue[i] not in self.graded]
        if following:
            self.position = following[0]
        elif self.left == 0:
            self.position = len(self.queue)  # past the end: "All done."
        self._show_current()
        return True

    # --- comment bank ---------------------------------------------------------------------

    def _on_presenter_comment_bank_loaded(self, line_item_url: str,
                                          texts: tuple[str, ...]) -> None:
        if line_item_url != self._line_item_url:
            return
        self.bank.clear()
        self.bank.addItem("Insert a kept comment…" if texts else "No kept comments yet")
        for text in texts:
            self.bank.addItem(text if len(text) < 70 else text[:67] + "…", text)

    def _on_bank_activated(self, index: int) -> None:
        text = self.bank.itemData(index)
        if isinstance(text, str):
            current = self.comment.toPlainText().strip()
            self.comment.setPlainText(f"{current}\n{text}" if current else text)
        self.bank.setCurrentIndex(0)

    def _on_keep_clicked(self) -> None:
        text = self.comment.toPlainText().strip()
        if text and self._line_item_url:
            self.presenter.bank_comment(self._line_item_url, text)
