"""Grading mode: the whole window for the submissions that need grading, one student at a
time, by keyboard. A page of the window (beside the gradebook), not a dialog.

Left, the students in the queue with a mark for each one done; right, the submission large,
then score, comment and the comment bank. Ctrl+Enter saves score, comment and "Graded"
(FullyGraded) as one undoable edit and shows the next student still waiting; Alt+Right and
Alt+Left skip forward and back; Escape goes back to the gradebook. After the last one: push
now, or on to the next line item with work waiting.

The queue's logic (order, position, progress, what comes next) is grading_queue's, without
Qt; this module shows it and turns keys into its steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gradedesk.domain import (
    GradingProgress,
    InputError,
    check_score_against_maximum,
    parse_score_input,
)
from gradedesk.domain.rubrics import Rubric, require_complete, rubric_comment
from gradedesk.store import SyncState
from gradedesk.sync.rubric_grading import keep_rubric_levels
from gradedesk.ui.grading_loaders import (
    GradingQueueData,
    RubricState,
    load_grading_queue,
    load_rubric_state,
)
from gradedesk.ui.grading_queue import GradingQueue, entry_text, next_line_item
from gradedesk.ui.loaders import CellDetail, local_time
from gradedesk.ui.models.base import edit_text, format_score
from gradedesk.ui.presenter import Presenter
from gradedesk.ui.rows import CellKey, StudentGrade
from gradedesk.ui.sync_states import (
    LOOKS,
    muted_text_color,
    readable_placeholders,
    state_color,
    warning_color,
)
from gradedesk.ui.undo_values import CellChange, Field
from gradedesk.ui.views.comment_bank_box import CommentBankBox
from gradedesk.ui.views.rubric_panel import RubricPanel

ALL_LINE_ITEMS = "All line items"
KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # a student list item's queue index
DONE_MARK = "✓"
WAITING_MARK = "○"


def _scaled(widget: QWidget, scale: float, *, bold: bool = False) -> None:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    widget.setFont(font)


def _label(text: str, name: str, parent: QWidget, *, wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setAccessibleName(name)
    label.setWordWrap(wrap)
    return label


def _button(text: str, name: str, parent: QWidget, tip: str = "") -> QPushButton:
    button = QPushButton(text, parent)
    button.setAccessibleName(name)
    if tip:
        button.setToolTip(tip)
    button.setAutoDefault(True)  # Enter presses the focused button, as in a dialog
    return button


def _graded_color(palette: QPalette) -> QColor:
    """The "done" mark: the Confirmed green (4.5:1 on the list's background or better)."""
    return state_color(SyncState.CONFIRMED, palette)


class GradingMode(QWidget):
    """The page; the window shows it, hides it on ``leave_requested`` and passes the names
    setting on (``set_names_hidden``)."""

    leave_requested = Signal()  # Escape or "Back to the gradebook"
    student_shown = Signal(object)  # CellKey: the grid behind can follow
    queue_loaded = Signal()  # a queue (maybe empty) is on screen

    def __init__(self, presenter: Presenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.setObjectName("gradingMode")
        self.setAccessibleName("Grading mode")
        self.setPalette(readable_placeholders(self.palette()))
        self.queue: GradingQueue | None = None
        self.scope: str | None = None  # the line item URL graded (None: all of them)
        self.names_hidden = False
        # Whose submissions to queue (the grids' grader filter; None: everyone's).
        self.grader: str | None = None
        self._connection_id: int | None = None
        self._generation = 0  # a newer load makes an older one's result stale
        self._bank_url = ""  # the line item whose kept comments the bank shows
        self._filling_list = False
        self._list_rows: list[int] = []  # the student list's row of each queue entry
        # Each column's rubric as last loaded (None: it has none), so the panel shows at
        # once when the next student is in the same column.
        self._rubrics: dict[str, Rubric | None] = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(self._build_top())
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        self.pages = QStackedWidget(self)
        self.pages.setAccessibleName("Grading pages")
        self.loading_page = _label("Loading the submissions to grade…", "Loading", self)
        self.loading_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.work_page = self._build_work_page()
        self.end_page = self._build_end_page()
        for page in (self.loading_page, self.work_page, self.end_page):
            self.pages.addWidget(page)
        layout.addWidget(self.pages, 1)

        for keys, slot in (((QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")),
                            self.grade_and_next),
                           ((QKeySequence("Alt+Right"),), self.go_next),
                           ((QKeySequence("Alt+Left"),), self.go_previous),
                           ((QKeySequence(Qt.Key.Key_Escape),), self.leave_requested.emit)):
            for sequence in keys:
                shortcut = QShortcut(sequence, self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)

        presenter.comment_bank_loaded.connect(self._on_presenter_comment_bank_loaded)
        presenter.rows_refreshed.connect(self._on_presenter_rows_refreshed)
        presenter.edit_refused.connect(self._on_presenter_edit_refused)
        presenter.sync_finished.connect(self._on_presenter_sync_finished)
        presenter.connection_changed.connect(self._on_presenter_connection_changed)
        self.pages.setCurrentWidget(self.loading_page)

    # --- construction ---------------------------------------------------------------------

    def _build_top(self) -> QHBoxLayout:
        top = QHBoxLayout()
        self.back_button = _button("◀  Gradebook (Esc)", "Back to the gradebook", self,
                                   "Leave grading mode; your grades stay saved")
        self.back_button.setAutoDefault(False)
        title = _label("Grading", "Grading mode title", self, wrap=False)
        _scaled(title, 1.35, bold=True)
        scope_label = _label("&Line items:", "Line items label", self, wrap=False)
        self.scope_box = QComboBox(self)
        self.scope_box.setAccessibleName("Line items to grade")
        self.scope_box.setToolTip("Grade one line item's submissions, or every line item's")
        self.scope_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.scope_box.setMinimumContentsLength(24)
        scope_label.setBuddy(self.scope_box)
        self.progress_text = _label("", "Grading progress", self, wrap=False)
        _scaled(self.progress_text, 1.1, bold=True)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setAccessibleName("Grading progress bar")
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setFixedWidth(160)
        self.progress_bar.setMaximumHeight(self.fontMetrics().height())
        top.addWidget(self.back_button)
        top.addSpacing(12)
        top.addWidget(title)
        top.addSpacing(20)
        top.addWidget(scope_label)
        top.addWidget(self.scope_box)
        top.addStretch(1)
        top.addWidget(self.progress_text)
        top.addSpacing(8)
        top.addWidget(self.progress_bar)
        self.back_button.clicked.connect(self.leave_requested.emit)
        self.scope_box.activated.connect(self._on_scope_box_activated)
        return top

    def _build_work_page(self) -> QWidget:
        page = QSplitter(Qt.Orientation.Horizontal, self)
        page.setObjectName("gradingSplitter")
        page.setChildrenCollapsible(False)
        side = QWidget(page)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 4, 0, 0)
        self.list_title = _label("Submissions", "Student list title", side, wrap=False)
        _scaled(self.list_title, 1.0, bold=True)
        self.students = QListWidget(side)
        self.students.setAccessibleName("Submissions to grade")
        self.students.setUniformItemSizes(True)
        self.students.setSpacing(2)
        self.students.setMinimumWidth(220)
        self.students.currentRowChanged.connect(self._on_students_current_row_changed)
        side_layout.addWidget(self.list_title)
        side_layout.addWidget(self.students, 1)

        body = QWidget(page)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(12, 4, 0, 0)
        header = QHBoxLayout()
        self.student = _label("", "Student being graded", body, wrap=False)
        _scaled(self.student, 1.6, bold=True)
        self.student.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_badge = _label("", "Grading state", body, wrap=False)
        self.position = _label("", "Position in the queue", body, wrap=False)
        header.addWidget(self.student, 1)
        header.addWidget(self.status_badge)
        header.addSpacing(12)
        header.addWidget(self.position)
        self.line_item = _label("", "Line item being graded", body)
        _scaled(self.line_item, 1.1)

        self.submission_box = QGroupBox("Submission", body)
        self.submission_box.setAccessibleName("Submission")
        submission_layout = QVBoxLayout(self.submission_box)
        self.submission_meta = _label("", "Submission type and time", self.submission_box)
        self.submission = QPlainTextEdit(self.submission_box)
        self.submission.setReadOnly(True)
        self.submission.setAccessibleName("Submission text")
        self.submission.setTabChangesFocus(True)
        self.submission.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes score -> comment
        _scaled(self.submission, 1.3)
        self.submission.document().setDocumentMargin(10)
        self.files = _label("", "Files", self.submission_box)
        submission_layout.addWidget(self.submission_meta)
        submission_layout.addWidget(self.submission, 1)
        submission_layout.addWidget(self.files)

        grade_box = QGroupBox("Grade", body)
        grade_box.setAccessibleName("Grade")
        form = QGridLayout(grade_box)
        form.setColumnStretch(1, 1)
        self.platform = _label("", "What the platform holds", grade_box)
        score_label = _label("Sc&ore", "Score label", grade_box, wrap=False)
        self.score = QLineEdit(grade_box)
        self.score.setAccessibleName("Score")
        self.score.setPlaceholderText("score")
        self.score.setMaximumWidth(110)
        _scaled(self.score, 1.2, bold=True)
        score_label.setBuddy(self.score)
        self.maximum = _label("", "Out of", grade_box, wrap=False)
        _scaled(self.maximum, 1.2)
        score_row = QHBoxLayout()
        score_row.addWidget(self.score)
        score_row.addWidget(self.maximum)
        score_row.addStretch(1)
        comment_label = _label("Co&mment", "Comment label", grade_box, wrap=False)
        self.comment = QPlainTextEdit(grade_box)
        self.comment.setAccessibleName("Comment")
        self.comment.setPlaceholderText("Comment for the student (optional), sent with the "
                                        "grade")
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(self.fontMetrics().height() * 4 + 14)
        comment_label.setBuddy(self.comment)
        bank_label = _label("Comment &bank", "Comment bank label", grade_box, wrap=False)
        self.bank = CommentBankBox(self.comment, grade_box, prompt="Add a kept comment…",
                                   shown_chars=70)
        self.bank.setToolTip("Comments kept for this line item; choose one to add it")
        self.bank.setMinimumContentsLength(20)
        bank_label.setBuddy(self.bank)
        self.keep = _button("&Keep in bank", "Keep comment in bank", grade_box,
                            "Keep this comment for reuse on this line item")
        self.keep.setAutoDefault(False)
        bank_row = QHBoxLayout()
        bank_row.addWidget(self.bank, 1)
        bank_row.addWidget(self.keep)
        form.addWidget(self.platform, 0, 0, 1, 2)
        form.addWidget(score_label, 1, 0)
        form.addLayout(score_row, 1, 1)
        form.addWidget(comment_label, 2, 0, Qt.AlignmentFlag.AlignTop)
        form.addWidget(self.comment, 2, 1)
        form.addWidget(bank_label, 3, 0)
        form.addLayout(bank_row, 3, 1)
        self.error = _label("", "Grading error", body)
        buttons = QHBoxLayout()
        self.previous_button = _button("◀ Previous (Alt+Left)", "Previous student", body)
        self.next_button = _button("Skip (Alt+Right) ▶", "Skip to the next student", body)
        self.grade_button = _button("Grade and next  (Ctrl+Enter)",
                                    "Save the grade, mark it graded and go to the next "
                                    "student", body)
        _scaled(self.grade_button, 1.05, bold=True)
        self.grade_button.setMinimumHeight(self.fontMetrics().height() * 2 + 6)
        for button in (self.previous_button, self.next_button):
            button.setAutoDefault(False)
        buttons.addWidget(self.previous_button)
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)
        buttons.addWidget(self.grade_button)

        body_layout.addLayout(header)
        body_layout.addWidget(self.line_item)
        body_layout.addWidget(self.submission_box, 1)
        self.rubric_panel = RubricPanel(body)
        self.rubric_panel.hide()
        body_layout.addWidget(self.rubric_panel)
        body_layout.addWidget(grade_box)
        body_layout.addWidget(self.error)
        body_layout.addLayout(buttons)
        page.addWidget(side)
        page.addWidget(body)
        page.setStretchFactor(0, 0)
        page.setStretchFactor(1, 1)
        page.setSizes([280, 980])

        self.previous_button.clicked.connect(self.go_previous)
        self.next_button.clicked.connect(self.go_next)
        self.grade_button.clicked.connect(self.grade_and_next)
        self.keep.clicked.connect(self._on_keep_clicked)
        self.score.textEdited.connect(lambda _text: self.error.setText(""))
        self.rubric_panel.choice_changed.connect(self._on_rubric_panel_choice_changed)
        # The rubric (when shown: the score is its total, not typed), then score and comment.
        for first, second in pairwise([self.rubric_panel, self.score, self.comment, self.bank,
                                       self.keep]):
            QWidget.setTabOrder(first, second)
        return page

    def _build_end_page(self) -> QWidget:
        page = QWidget(self)
        page.setAccessibleName("End of the queue")
        outer = QVBoxLayout(page)
        outer.addStretch(2)
        column = QWidget(page)
        column.setFixedWidth(max(480, self.fontMetrics().averageCharWidth() * 72))
        layout = QVBoxLayout(column)
        self.end_title = _label("", "End of the queue title", column)
        _scaled(self.end_title, 1.6, bold=True)
        self.end_text = _label("", "End of the queue explanation", column)
        self.push_button = _button("&Push now", "Push now", column,
                                   "Send the queued grades to the platform (Ctrl+Shift+P)")
        _scaled(self.push_button, 1.1, bold=True)
        self.push_button.setMinimumHeight(self.fontMetrics().height() * 2 + 8)
        self.next_item_button = _button("", "Next line item", column,
                                        "Grade the next line item with submissions waiting")
        self.next_item_button.setMinimumHeight(self.fontMetrics().height() * 2 + 8)
        self.end_back_button = _button("Back to the &gradebook", "Back to the gradebook",
                                       column)
        self.end_status = _label("", "Push status", column)
        layout.addWidget(self.end_title)
        layout.addSpacing(6)
        layout.addWidget(self.end_text)
        layout.addSpacing(16)
        layout.addWidget(self.push_button)
        layout.addWidget(self.next_item_button)
        layout.addWidget(self.end_back_button)
        layout.addSpacing(8)
        layout.addWidget(self.end_status)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(3)
        self.push_button.clicked.connect(self.push_now)
        self.next_item_button.clicked.connect(self.grade_next_line_item)
        self.end_back_button.clicked.connect(self.leave_requested.emit)
        return page

    # --- loading --------------------------------------------------------------------------

    def start(self, scope: str | None, *, fall_back_to_all: bool = False) -> None:
        """Load the submissions needing grading in one line item (its URL) or in all. With
        ``fall_back_to_all``, a line item with none waiting opens every line item's instead
        (opening grading mode on a line item already graded)."""
        connection = self.presenter.connection
        self.scope = scope
        self._generation += 1
        generation = self._generation
        if connection is None:
            self._show_data(None)
            return
        self._connection_id = connection.id
        db = self.presenter.context.db
        keep = self.queue.current() if self.queue is not None else None
        grader = self.grader

        def done(data: GradingQueueData) -> None:
            if generation != self._generation:
                return  # a newer choice overtook this load
            if fall_back_to_all and scope is not None and not data.rows \
                    and any(item.pending for item in data.line_items):
                self.start(None)
                return
            self._show_data(data, keep.key if keep is not None else None)

        if self.queue is None:
            self.pages.setCurrentWidget(self.loading_page)
        self.presenter.run_store("Loading submissions to grade",
                                 lambda: load_grading_queue(db, connection.id, scope, grader),
                                 done,
                                 on_refused=self._on_load_refused)

    def _on_load_refused(self, message: str) -> None:
        if self.scope is not None:  # the line item went (a pull): grade what remains
            self.start(None)
        self.end_status.setText(f"⚠ {message}")

    def _show_data(self, data: GradingQueueData | None, keep: CellKey | None = None) -> None:
        line_items = data.line_items if data is not None else ()
        self.queue = GradingQueue(data.rows if data is not None else (), line_items,
                                  names_hidden=self.names_hidden)
        if keep is not None:
            index = self.queue.index_of(keep)
            if index is not None and self.queue.is_done(index) is False:
                self.queue.go_to(index)
        self._fill_scope_box()
        self._fill_list()
        self._show_current(focus=True)
        self.queue_loaded.emit()

    def _fill_scope_box(self) -> None:
        queue = self.queue
        if queue is None:
            return
        left = queue.left_by_line_item()
        blocker = self.scope_box.blockSignals(True)
        self.scope_box.clear()
        total = sum(left.get(item.url, item.pending) for item in queue.line_items)
        self.scope_box.addItem(f"{ALL_LINE_ITEMS} ({total} to grade)", None)
        for item in queue.line_items:
            waiting = left.get(item.url, item.pending)
            self.scope_box.addItem(f"{item.label} ({waiting} to grade)", item.url)
        position = self.scope_box.findData(self.scope) if self.scope is not None else 0
        self.scope_box.setCurrentIndex(max(position, 0))
        self.scope_box.blockSignals(blocker)

    def _labels(self) -> dict[str, str]:
        items = self.queue.line_items if self.queue is not None else ()
        return {item.url: item.label for item in items}

    def _fill_list(self) -> None:
        """One row per entry; across line items, each line item's label heads its students
        (a heading is skipped by the arrow keys and cannot be chosen)."""
        queue = self.queue
        self._filling_list = True
        try:
            self.students.clear()
            self._list_rows = []
            if queue is None:
                return
            labels = self._labels()
            heading_font = QFont(self.students.font())
            heading_font.setBold(True)
            text_color = self.students.palette().color(QPalette.ColorRole.Text)
            previous_url = None
            for index, row in enumerate(queue.entries):
                if self.scope is None and row.line_item_url != previous_url:
                    heading = QListWidgetItem(labels.get(row.line_item_url, ""))
                    heading.setFlags(Qt.ItemFlag.NoItemFlags)
                    heading.setFont(heading_font)
                    heading.setForeground(text_color)  # not the disabled grey: it is read
                    self.students.addItem(heading)
                previous_url = row.line_item_url
                item = QListWidgetItem()
                item.setData(KEY_ROLE, index)
                self._list_rows.append(self.students.count())
                self.students.addItem(item)
                self._mark(index)
            self.list_title.setText(f"Submissions ({queue.total})" if queue.total
                                    else "Submissions")
            if queue.position is not None:
                self.students.setCurrentRow(self._list_rows[queue.position])
        finally:
            self._filling_list = False

    def _mark(self, index: int) -> None:
        """Show one entry's name and whether it is done."""
        queue = self.queue
        if queue is None or index >= len(self._list_rows):
            return
        item = self.students.item(self._list_rows[index])
        row = queue.entries[index]
        done = queue.is_done(index)
        name = entry_text(row, names_hidden=self.names_hidden)
        indent = "    " if self.scope is None else ""
        item.setText(f"{indent}{DONE_MARK if done else WAITING_MARK}  {name}")
        item.setData(Qt.ItemDataRole.AccessibleTextRole,
                     f"{name}: {'graded' if done else 'needs grading'}")
        item.setData(Qt.ItemDataRole.ForegroundRole,
                     _graded_color(self.students.palette()) if done else None)

    def _refresh_marks(self) -> None:
        """Repaint the marks and the progress (after a grade, or a refresh from the store)."""
        queue = self.queue
        if queue is None:
            return
        if len(self._list_rows) != queue.total:
            self._fill_list()
        for index in range(queue.total):
            self._mark(index)
        self._show_progress()
        self._fill_scope_box()

    def _show_progress(self) -> None:
        queue = self.queue
        total = queue.total if queue is not None else 0
        self.progress_text.setText(queue.progress_text() if queue is not None else "")
        self.progress_bar.setVisible(total > 0)
        self.progress_bar.setMaximum(max(total, 1))
        self.progress_bar.setValue(queue.done if queue is not None else 0)

    # --- showing ----------------------------------------------------------------------------

    def _show_current(self, *, focus: bool) -> None:
        queue = self.queue
        self._show_progress()
        row = queue.current() if queue is not None else None
        if row is None:
            self._show_end(focus=focus)
            return
        self.pages.setCurrentWidget(self.work_page)
        assert queue is not None and queue.position is not None
        list_row = self._list_rows[queue.position]
        if self.students.currentRow() != list_row:
            self._filling_list = True
            self.students.setCurrentRow(list_row)
            self._filling_list = False
        self.students.scrollToItem(self.students.item(list_row))
        self.student.setText(row.student.shown_name(self.names_hidden))
        self._show_badge(row)
        self.position.setText(queue.position_text())
        label = self._labels().get(row.line_item_url, "")
        self.line_item.setText(f"{label}  ·  out of {format_score(row.maximum)}")
        self.score.setText(edit_text(row.score))  # every digit: an unchanged score stays
        self.maximum.setText(f"/ {format_score(row.maximum)}")
        self.comment.setPlainText(row.new_comment or "")
        self._show_platform(row)
        self._show_rubric(row, focus=focus)
        self.previous_button.setEnabled(queue.position > 0)
        self.submission_meta.setText(row.submission or "Submission")
        self.submission.setPlainText("Loading…")
        self.files.hide()
        self.presenter.fetch_detail(row.key, self._on_detail_fetched)
        if row.line_item_url != self._bank_url:
            self._bank_url = row.line_item_url
            self.bank.clear()
            self.presenter.load_comment_bank(row.line_item_url)
        if focus and not self.rubric_panel.isVisible():
            self.score.setFocus()
            self.score.selectAll()
        self.student_shown.emit(row.key)

    # --- rubric -----------------------------------------------------------------------------

    def _show_rubric(self, row: StudentGrade, *, focus: bool) -> None:
        """Show the column's rubric (as last known at once, then as the store has it, with the
        levels chosen for this student before); the score is then the rubric's total."""
        self._use_rubric(self._rubrics.get(row.line_item_url), focus=focus)
        connection = self.presenter.connection
        if connection is None:
            return
        db = self.presenter.context.db
        url, user_id = row.key

        def done(state: RubricState) -> None:
            self._rubrics[url] = state.rubric
            current = self.queue.current() if self.queue is not None else None
            if current is None or current.key != state.key:
                return  # the grader moved on meanwhile
            self._use_rubric(state.rubric, state, focus=focus or self.rubric_panel.hasFocus())

        self.presenter.run_store("Loading the rubric",
                                 lambda: load_rubric_state(db, connection.id, url, user_id),
                                 done)

    def _use_rubric(self, rubric: Rubric | None, state: RubricState | None = None, *,
                    focus: bool) -> None:
        chosen = state.chosen if state is not None else None
        self.rubric_panel.set_rubric(rubric, chosen)
        # With a rubric the total is the score: the field shows it and is not typed in.
        self.score.setReadOnly(rubric is not None)
        self.score.setFocusPolicy(Qt.FocusPolicy.NoFocus if rubric is not None
                                  else Qt.FocusPolicy.StrongFocus)
        self.comment.setPlaceholderText(
            "Comment for the student (optional), sent with the grade" if rubric is None else
            "Your words for the student (optional): the levels chosen lead the comment")
        if rubric is None:
            return
        if state is not None and state.chosen is not None:
            self.comment.setPlainText(state.own_comment or "")  # the levels lead it anyway
        self._on_rubric_panel_choice_changed()
        if focus:
            self.rubric_panel.setFocus(Qt.FocusReason.OtherFocusReason)

    def forget_rubric(self, line_item_url: str) -> None:
        """A column's rubric changed: the next student of it loads the new one."""
        self._rubrics.pop(line_item_url, None)

    def _on_rubric_panel_choice_changed(self) -> None:
        panel = self.rubric_panel
        if panel.rubric is None:
            return
        self.score.setText(format_score(panel.choice().total) if panel.complete() else "")
        self.error.setText("")

    def _show_badge(self, row: StudentGrade) -> None:
        done = not row.pending_manual
        self.status_badge.setText("✓ Graded" if done else "Needs grading")
        color = _graded_color(self.palette()) if done else muted_text_color(self.palette())
        self.status_badge.setStyleSheet(f"color: {color.name()}; font-weight: bold;")

    def _show_platform(self, row: StudentGrade) -> None:
        """What the platform holds, and what became of a grade given here."""
        comment = f"comment “{row.server_comment}”" if row.server_comment else "no comment"
        if not row.has_server_result:
            held = "The platform holds no result yet."
        elif row.has_draft:  # the row's score is the one given here: say only the comment
            held = f"On the platform: {comment}."
        else:
            score = "no score yet" if row.score is None else \
                f"{format_score(row.score)} / {format_score(row.maximum)}"
            held = f"On the platform: {score}; {comment}."
        if row.has_draft:
            held += f"  Your grade here: {LOOKS[row.state].label.lower()}."
        self.platform.setText(held)

    def _on_detail_fetched(self, detail: CellDetail | None) -> None:
        row = self.queue.current() if self.queue is not None else None
        if detail is None or row is None or detail.key != row.key:
            return  # the grader moved on meanwhile
        kind = row.submission or (detail.submission_type or "").replace("_", " ").capitalize()
        when = f"submitted {local_time(detail.submitted_at)}" if detail.submitted_at else ""
        meta = ", ".join(part for part in (kind, when) if part)
        self.submission_meta.setText(meta or "No submission details on the platform.")
        self.submission.setPlainText(detail.submission_data or
                                     "(The platform sent no submission text: open the "
                                     "submission on the platform to see it.)")
        names = [f"{item.title} (to be sent)" for item in
                 (detail.draft.attachments if detail.draft is not None else ())]
        names += [job.file_title or "file" for job in detail.progress_jobs]
        self.files.setText(f"Files: {', '.join(names)}" if names else "")
        self.files.setVisible(bool(names))

    def _show_end(self, *, focus: bool) -> None:
        """The page after the last submission, or for an empty queue: never a student."""
        queue = self.queue
        self.pages.setCurrentWidget(self.end_page)
        where = self._labels().get(self.scope, "") if self.scope is not None else \
            "any line item"
        if queue is not None and queue.finished:
            count = queue.total
            self.end_title.setText(f"All {count} graded" + (f" in {where}" if self.scope
                                                            else "") + ".")
            self.end_text.setText("Your grades are saved on this computer and queued: push "
                                  "sends them to the platform now, or later with the rest.")
        else:
            self.end_title.setText(f"Nothing needs grading in {where}.")
            self.end_text.setText("No submission here waits for a grader. Choose another "
                                  "line item above, or go back to the gradebook.")
        following = next_line_item(queue.line_items, self.scope, queue.left_by_line_item()) \
            if queue is not None else None
        self.next_item_button.setVisible(following is not None)
        if following is not None:
            self.next_item_button.setText(f"&Next line item: {following.label} "
                                          f"({following.pending} to grade)")
            self.next_item_button.setProperty("url", following.url)
        self.push_button.setVisible(queue is not None and queue.finished)
        self.push_button.setEnabled(not self.presenter.busy)
        # Nobody is current: nothing of the last one shown stays behind the page.
        for label in (self.student, self.position, self.status_badge, self.platform,
                      self.error):
            label.setText("")
        self.score.clear()
        self.comment.clear()
        self.submission.clear()
        if focus:
            first = next((b for b in (self.push_button, self.next_item_button,
                                      self.end_back_button) if b.isVisibleTo(self)), None)
            if first is not None:
                first.setFocus()

    # --- grader's steps ---------------------------------------------------------------------

    def go_next(self) -> None:
        if self.queue is not None and self.pages.currentWidget() is self.work_page \
                and self.queue.go_next():
            self._show_current(focus=True)

    def go_previous(self) -> None:
        if self.queue is not None and self.queue.go_previous():
            self._show_current(focus=True)

    def grade_and_next(self) -> bool:
        """Save score, comment and "Graded" (FullyGraded) as one undoable step, exactly as a
        grid edit goes, then show the next student still waiting."""
        queue = self.queue
        row = queue.current() if queue is not None else None
        if queue is None or row is None or self.pages.currentWidget() is not self.work_page:
            return False
        rubric = self.rubric_panel.rubric if self.rubric_panel.isVisible() else None
        own_comment = self.comment.toPlainText().strip() or None
        try:
            if rubric is not None:
                choice = self.rubric_panel.choice()
                require_complete(rubric, choice)
                score: float | None = choice.total
                comment: str | None = rubric_comment(rubric, choice, own_comment)
            else:
                score = parse_score_input(self.score.text())
                comment = own_comment
            check_score_against_maximum(score, row.maximum)  # 1e9 for 9: a typo
        except InputError as error:
            self._refuse(f"Not saved: {error.user_message}")
            return False
        if score is None:
            self._refuse("Not saved: type a score to mark this graded.")
            return False
        changes = [CellChange(row.key, Field.SCORE, row.score, score, row.has_draft)]
        if comment != row.new_comment:
            changes.append(CellChange(row.key, Field.COMMENT, row.new_comment, comment,
                                      row.has_draft))
        changes.append(CellChange(row.key, Field.GRADING, row.grading or None,
                                  GradingProgress.FULLY_GRADED, row.has_draft))
        self.presenter.apply_changes(changes,
                                     f"Grade {row.student.shown_name(self.names_hidden)}")
        if rubric is not None:
            self._record_rubric_grade(row, own_comment)
        queue.mark_graded(row.key, score, comment)
        queue.advance()
        self.error.setText("")
        self._refresh_marks()
        self._show_current(focus=True)
        return True

    def _record_rubric_grade(self, row: StudentGrade, own_comment: str | None) -> None:
        """Keep the levels chosen, so that a change to the rubric can recompute this grade."""
        connection = self.presenter.connection
        if connection is None:
            return
        db = self.presenter.context.db
        choice = self.rubric_panel.choice()
        url, user_id = row.key
        self.presenter.run_store(
            "Keeping the rubric levels",
            lambda: keep_rubric_levels(db, connection, url, user_id, choice, own_comment),
            lambda _done: None)

    def _refuse(self, text: str) -> None:
        self.error.setText(f"⚠ {text}")
        self.error.setStyleSheet(f"color: {warning_color(self.palette()).name()};")
        if self.rubric_panel.isVisible():
            self.rubric_panel.setFocus()
            return
        self.score.setFocus()
        self.score.selectAll()

    def push_now(self) -> None:
        if self.presenter.push() is not None:
            self.push_button.setEnabled(False)
            self.end_status.setText("Pushing… (the status bar shows how far it got)")

    def grade_next_line_item(self) -> None:
        url = self.next_item_button.property("url")
        if isinstance(url, str) and url:
            self.start(url)

    def _on_scope_box_activated(self, index: int) -> None:
        url = self.scope_box.itemData(index)
        self.start(url if isinstance(url, str) else None)

    def _on_students_current_row_changed(self, row: int) -> None:
        item = self.students.item(row) if row >= 0 else None
        index = item.data(KEY_ROLE) if item is not None else None
        if self._filling_list or self.queue is None or not isinstance(index, int):
            return
        if index != self.queue.position and self.queue.go_to(index):
            self._show_current(focus=False)  # the arrows keep moving in the list

    # --- names ------------------------------------------------------------------------------

    def set_names_hidden(self, hidden: bool) -> None:
        """Show every student as "Student 17" (or by name again); the order follows (by
        number while hidden: an alphabetical queue would give names away)."""
        if hidden == self.names_hidden:
            return
        self.names_hidden = hidden
        if self.queue is None:
            return
        self.queue.set_names_hidden(hidden)
        self._fill_list()
        row = self.queue.current()
        if row is not None:
            self.student.setText(row.student.shown_name(hidden))
            self.position.setText(self.queue.position_text())

    # --- presenter --------------------------------------------------------------------------

    def _on_presenter_rows_refreshed(self, rows: object) -> None:
        if self.queue is None or not isinstance(rows, dict):
            return
        if self.queue.update(rows):
            self._refresh_marks()
            row = self.queue.current()
            if row is not None and self.pages.currentWidget() is self.work_page:
                self._show_badge(row)
                self._show_platform(row)

    def _on_presenter_edit_refused(self, key: object, reason: str) -> None:
        queue = self.queue
        if queue is None or not isinstance(key, tuple) or queue.index_of(key) is None:
            return
        index = queue.index_of(key)
        assert index is not None
        name = queue.entries[index].student.shown_name(self.names_hidden)
        self.error.setText(f"⚠ Not saved for {name}: {reason}")
        self.error.setStyleSheet(f"color: {warning_color(self.palette()).name()};")

    def _on_presenter_sync_finished(self, phase: str, report: object) -> None:
        if phase == "push" and self.pages.currentWidget() is self.end_page:
            self.end_status.setText("Pushed: the activity list (View > Activity) says what "
                                    "went.")
            self.push_button.setEnabled(not self.presenter.busy)
        if phase == "pull":
            self.refresh()

    def refresh(self) -> None:
        """Re-read the queue's entries from the store (after a pull, or a change made outside
        the window): progress and marks follow, the queue keeps its place. Newly submitted
        work joins when the grader picks a line item again."""
        if self.queue is not None and self.queue.entries:
            self.presenter.refresh_cells([row.key for row in self.queue.entries])

    def _on_presenter_connection_changed(self, row: object) -> None:
        connection = self.presenter.connection
        if connection is not None and connection.id == self._connection_id:
            return
        self.queue = None
        self._bank_url = ""
        if self.isVisible():
            self.start(None)

    # --- comment bank -----------------------------------------------------------------------

    def _on_presenter_comment_bank_loaded(self, line_item_url: str,
                                          texts: Sequence[str]) -> None:
        if line_item_url != self._bank_url:
            return
        self.bank.set_texts(texts)

    def _on_keep_clicked(self) -> None:
        text = self.comment.toPlainText().strip()
        if text and self._bank_url:
            self.presenter.bank_comment(self._bank_url, text)
