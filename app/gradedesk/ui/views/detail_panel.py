"""The right-hand panel: the selected result's server copy beside the draft, the comment thread
(every platform comment seen and every local edit, oldest first), submission, files with their
Progress, and the audit history of the cell.

A comment typed here is saved when the grader leaves the field (as the grid's Comment column
is), on Ctrl+Enter, and before the panel shows another cell; the window saves it on close.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gradedesk.domain import ContentItem, InputError
from gradedesk.store import SyncState
from gradedesk.ui.loaders import CellDetail, ConflictRow, local_time
from gradedesk.ui.models.base import format_score
from gradedesk.ui.rows import CellKey, activity_word, grading_word
from gradedesk.ui.sync_states import LOOKS, state_color, state_icon_for
from gradedesk.ui.thread_lines import ThreadLine
from gradedesk.ui.undo_values import CellChange, Field
from gradedesk.ui.views.comment_bank_box import CommentBankBox
from gradedesk.ui.views.conflict_box import ConflictBox

if TYPE_CHECKING:
    from gradedesk.sync.engine import Resolution


def _label(text: str, name: str, parent: QWidget, *, wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setAccessibleName(name)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _file_name(url: str) -> str:
    return unquote(urlsplit(url.strip()).path.rstrip("/").rsplit("/", 1)[-1])


def _media_type(url: str) -> str | None:
    """The media type the URL's file name suggests (mimetypes), or None."""
    name = _file_name(url)
    return mimetypes.guess_type(name)[0] if name else None


class _CommitOnLeave(QObject):
    """Saves a text field's edit when the focus leaves it (a popup such as the comment bank's
    list aside) and on Ctrl+Enter."""

    def __init__(self, commit: Callable[[], object], parent: QObject) -> None:
        super().__init__(parent)
        self._commit = commit

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and isinstance(event, QFocusEvent) \
                and event.reason() != Qt.FocusReason.PopupFocusReason:
            self._commit()
        elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._commit()
            return True
        return super().eventFilter(watched, event)


class DetailPanel(QScrollArea):
    changes_requested = Signal(object, str)  # list[CellChange], undo text
    comment_banked = Signal(str, str)  # line item URL, text
    discard_requested = Signal(object)  # CellKey: drop its local draft
    resolution_requested = Signal(object, object, object)  # Resolution, [entry id], [CellKey]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPanel")
        self.setAccessibleName("Result details")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(240)
        body = QWidget(self)
        body.setAccessibleName("Result details content")
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        self.detail: CellDetail | None = None

        self.heading = _label("Select a student to see details.", "Selected student", body)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.state_icon = QLabel(body)
        self.state_icon.setAccessibleName("Sync state icon")
        self.state_text = _label("", "Sync state", body)
        state_row = QHBoxLayout()
        state_row.addWidget(self.state_icon)
        state_row.addWidget(self.state_text, 1)
        layout.addWidget(self.heading)
        layout.addLayout(state_row)
        self.conflict_box = ConflictBox(body)
        self.conflict_box.resolution_requested.connect(self._on_conflict_box_resolution_requested)
        layout.addWidget(self.conflict_box)

        # Server copy beside draft.
        self.compare_box = QGroupBox("Platform copy and your draft", body)
        self.compare_box.setAccessibleName("Platform copy and your draft")
        compare_layout = QVBoxLayout(self.compare_box)
        grid = QGridLayout()
        compare_layout.addLayout(grid)
        grid.addWidget(_label("", "Blank", self.compare_box), 0, 0)
        grid.addWidget(_label("<b>Platform</b>", "Platform column", self.compare_box), 0, 1)
        grid.addWidget(_label("<b>Draft</b>", "Draft column", self.compare_box), 0, 2)
        self.compare: dict[str, tuple[QLabel, QLabel]] = {}
        for row, (key, title) in enumerate((("score", "Score"), ("comment", "Comment"),
                                            ("grading", "Grading"), ("activity", "Activity")),
                                           start=1):
            grid.addWidget(_label(title, f"{title} row", self.compare_box), row, 0)
            server = _label("—", f"Platform {title.lower()}", self.compare_box)
            draft = _label("—", f"Draft {title.lower()}", self.compare_box)
            grid.addWidget(server, row, 1)
            grid.addWidget(draft, row, 2)
            self.compare[key] = (server, draft)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.discard_button = QPushButton("&Discard my change", self.compare_box)
        self.discard_button.setAccessibleName("Discard my change")
        self.discard_button.setToolTip("Drop this cell's local change (nothing is sent); "
                                       "Undo (Ctrl+Z) brings it back")
        self.discard_button.setAutoDefault(False)
        self.discard_button.clicked.connect(self._on_discard_button_clicked)
        # Below the table, not in it: a column as wide as the button squeezes the values.
        compare_layout.addWidget(self.discard_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.compare_box)

        # Comments: the thread so far, then a new one.
        self.comment_box = QGroupBox("Comments", body)
        self.comment_box.setAccessibleName("Comments")
        comment_layout = QVBoxLayout(self.comment_box)
        self.comment_thread = _label("", "Comment thread", self.comment_box)
        self.comment_thread.setTextFormat(Qt.TextFormat.RichText)
        self.thread_lines: tuple[ThreadLine, ...] = ()
        self.comment_edit = QPlainTextEdit(self.comment_box)
        self.comment_edit.setAccessibleName("New comment")
        self.comment_edit.setPlaceholderText("New comment, sent on the next push")
        self.comment_edit.setTabChangesFocus(True)
        self.comment_edit.setFixedHeight(self.fontMetrics().height() * 4 + 12)
        self.comment_edit.setToolTip("Saved when you leave the field or press Ctrl+Enter")
        self._comment_keys = _CommitOnLeave(self.commit_comment, self)
        self.comment_edit.installEventFilter(self._comment_keys)
        # The comment last handed over for saving, until a reload shows it saved: a reload
        # that was already on its way must not wipe what was typed.
        self._handed: tuple[CellKey, str | None] | None = None
        self._field_saved: str | None = None  # the stored comment the field last agreed with
        self.bank = CommentBankBox(self.comment_edit, self.comment_box)
        self.bank.setToolTip("Comments kept for this line item; choose one to insert it")
        self.bank.setMinimumContentsLength(10)
        self.save_comment_button = QPushButton("Save comment", self.comment_box)
        self.save_comment_button.setAccessibleName("Save comment")
        self.save_comment_button.clicked.connect(self._on_save_comment_button_clicked)
        self.keep_button = QPushButton("Keep in bank", self.comment_box)
        self.keep_button.setAccessibleName("Keep comment in bank")
        self.keep_button.setToolTip("Keep this comment for reuse on this line item")
        self.keep_button.clicked.connect(self._on_keep_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_comment_button)
        buttons.addWidget(self.keep_button)
        comment_layout.addWidget(self.comment_thread)
        comment_layout.addWidget(self.comment_edit)
        comment_layout.addWidget(self.bank)
        comment_layout.addLayout(buttons)
        layout.addWidget(self.comment_box)

        # Submission.
        self.submission_box = QGroupBox("Submission", body)
        self.submission_box.setAccessibleName("Submission")
        submission_layout = QVBoxLayout(self.submission_box)
        self.submission_meta = _label("No submission.", "Submission type", self.submission_box)
        self.submission_text = QPlainTextEdit(self.submission_box)
        self.submission_text.setReadOnly(True)
        self.submission_text.setAccessibleName("Submission data")
        self.submission_text.setFixedHeight(self.fontMetrics().height() * 4 + 12)
        submission_layout.addWidget(self.submission_meta)
        submission_layout.addWidget(self.submission_text)
        layout.addWidget(self.submission_box)

        # Files.
        self.files_box = QGroupBox("Files", body)
        self.files_box.setAccessibleName("Files")
        files_layout = QVBoxLayout(self.files_box)
        self.files = QListWidget(self.files_box)
        self.files.setAccessibleName("Attached files and their progress")
        self.files.setFixedHeight(self.fontMetrics().height() * 4 + 12)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.file_url = QLineEdit(self.files_box)
        self.file_url.setAccessibleName("File URL")
        self.file_url.setPlaceholderText("https://…/report.pdf")
        self.file_url.textChanged.connect(self._on_file_url_text_changed)
        self.file_url.returnPressed.connect(self._on_attach_button_clicked)
        self.file_title = QLineEdit(self.files_box)
        self.file_title.setAccessibleName("File title")
        self.file_title.setPlaceholderText("from the URL")
        self.file_type = _label("", "Guessed media type", self.files_box)
        form.addRow("URL", self.file_url)
        form.addRow("Title", self.file_title)
        form.addRow("Type", self.file_type)
        self.attach_button = QPushButton("Attach file", self.files_box)
        self.attach_button.setAccessibleName("Attach file")
        self.attach_button.clicked.connect(self._on_attach_button_clicked)
        self.file_error = _label("", "File error", self.files_box)
        files_layout.addWidget(self.files)
        files_layout.addLayout(form)
        files_layout.addWidget(self.attach_button)
        files_layout.addWidget(self.file_error)
        layout.addWidget(self.files_box)

        # History.
        self.history_box = QGroupBox("History", body)
        self.history_box.setAccessibleName("History")
        history_layout = QVBoxLayout(self.history_box)
        self.history = QListWidget(self.history_box)
        self.history.setAccessibleName("Audit history")
        self.history.setWordWrap(True)
        self.history.setMinimumHeight(self.fontMetrics().height() * 5)
        history_layout.addWidget(self.history)
        layout.addWidget(self.history_box)
        layout.addStretch(1)
        self.show_detail(None)

    def sizeHint(self) -> QSize:
        return QSize(330, 600)

    @property
    def key(self) -> CellKey | None:
        return self.detail.key if self.detail is not None else None

    def show_detail(self, detail: CellDetail | None) -> None:
        same_cell = detail is not None and self.detail is not None and detail.key == self.detail.key
        if not same_cell:
            self.commit_comment()  # the grader moved on: what they typed is not lost
        self.detail = detail
        enabled = detail is not None
        self.conflict_box.show_conflict(detail.conflict if detail is not None and
                                        detail.grade.state is SyncState.CONFLICT else None)
        self.discard_button.setEnabled(detail is not None and detail.draft is not None)
        # Only the controls go grey with nothing selected: disabled labels ("—", "No
        # submission.") would be 1.9:1, too faint to read.
        for control in (self.comment_edit, self.bank, self.save_comment_button,
                        self.keep_button, self.submission_text, self.files, self.file_url,
                        self.file_title, self.attach_button, self.history):
            control.setEnabled(enabled)
        if detail is None:
            self.heading.setText("Select a student to see details.")
            self.state_text.setText("")
            self.state_icon.clear()
            for server_label, draft_label in self.compare.values():
                server_label.setText("—")
                draft_label.setText("—")
            self._show_thread(())
            self.comment_edit.setPlainText("")
            self._field_saved = None
            self.submission_meta.setText("No submission.")
            self.submission_text.setPlainText("")
            self.files.clear()
            self.history.clear()
            return
        grade = detail.grade
        self.heading.setText(f"{detail.student.name} — {detail.line_item.label}")
        look = LOOKS[grade.state]
        size = self.fontMetrics().height()
        self.state_icon.setPixmap(state_icon_for(grade.state).pixmap(QSize(size, size)))
        # The conflict box says it in full; the state line need not repeat it.
        problem = f"\n{grade.problem}" if grade.problem and not self.conflict_box.conflict \
            else ""
        self.state_text.setText(f"{look.label}: {look.meaning}{problem}")
        self.state_text.setStyleSheet(f"color: {state_color(grade.state).name()};")
        server, draft = detail.server, detail.draft
        maximum = format_score(detail.line_item.score_maximum)

        def score(value: float | None, present: bool) -> str:
            if not present:
                return "—"
            return f"{format_score(value)} / {maximum}" if value is not None else "no score"

        self._set_compare("score", score(server.score if server else None, server is not None),
                          score(draft.score_given if draft else None, draft is not None))
        self._set_compare("comment", (server.comment or "none") if server else "—",
                          (draft.comment or "none new") if draft else "—")
        # In words, as the grid says them ("Needs grading", not PendingManual).
        self._set_compare("grading", grading_word(grade.grading) if server and not draft else
                          ("—" if not server else "as shown by the platform"),
                          grading_word(draft.grading_progress.value) if draft else "—")
        self._set_compare("activity", activity_word(grade.activity, True)
                          if server and not draft else "—",
                          activity_word(draft.activity_progress.value, True) if draft else "—")
        self._show_thread(detail.thread)
        saved = draft.comment if draft else None
        handed = self._handed
        if handed is not None and handed[0] == detail.key and handed[1] == saved:
            self._handed = None  # saved: from now on the store's value is the truth
        waiting = self._handed is not None and self._handed[0] == detail.key
        typed = self.comment_edit.toPlainText().strip() or None
        if typed == saved:
            self._field_saved = saved
        # Nothing typed since the field last held the stored comment: it follows the store even
        # while focused (a push that lands drops the draft; the sent comment must not linger
        # in the field, to be queued again when the grader leaves it).
        untouched = same_cell and typed == self._field_saved
        if not same_cell or (not waiting and (untouched or not self.comment_edit.hasFocus())):
            self.comment_edit.setPlainText(saved or "")
            self._field_saved = saved
        if detail.submission_type or detail.submission_data:
            kind = detail.submission_type or "submitted"
            when = f", submitted {local_time(detail.submitted_at)}" if detail.submitted_at else ""
            self.submission_meta.setText(f"{grade.submission or kind}{when}")
            self.submission_text.setPlainText(detail.submission_data or "")
        else:
            self.submission_meta.setText("No submission data.")
            self.submission_text.setPlainText("")
        self.files.clear()
        attachments = draft.attachments if draft else ()
        for item in attachments:
            self.files.addItem(f"{item.title} ({item.media_type or 'file'}) — to be sent")
        for job in detail.progress_jobs:
            state = job.state.value.replace("_", " ")
            message = f": {job.message}" if job.message else ""
            self.files.addItem(f"{job.file_title or 'file'} — {state}{message}")
        if not attachments and not detail.progress_jobs:
            self.files.addItem("No files.")
        self.history.clear()
        for entry in detail.history:
            stamp = entry.at.astimezone().strftime("%Y-%m-%d %H:%M")
            self.history.addItem(f"{stamp}  {entry.action}: {entry.summary} ({entry.grader})")
        if not detail.history:
            self.history.addItem("Nothing sent yet.")

    def _show_thread(self, lines: tuple[ThreadLine, ...]) -> None:
        """Oldest first, each entry: who, when and what became of it, then what was said."""
        self.thread_lines = lines
        if not lines:
            self.comment_thread.setText("No comments yet." if self.detail is not None else "")
            self.comment_thread.setAccessibleDescription("")
            return
        self.comment_thread.setText("".join(
            f"<p style='margin: 0 0 6px 0'><b>{escape(line.who)}</b> · {escape(line.about)}"
            + (f"<br>{escape(line.body)}" if line.body else "") + "</p>" for line in lines))
        self.comment_thread.setAccessibleDescription("; ".join(
            f"{line.heading}: {line.body}" if line.body else line.heading for line in lines))

    def _set_compare(self, key: str, server: str, draft: str) -> None:
        server_label, draft_label = self.compare[key]
        server_label.setText(server)
        draft_label.setText(draft)

    def set_comment_bank(self, texts: tuple[str, ...]) -> None:
        self.bank.set_texts(texts)

    def _on_save_comment_button_clicked(self) -> None:
        self.commit_comment()

    def commit_comment(self) -> bool:
        """Save the comment typed for the shown cell, if it changed (one undo step)."""
        detail = self.detail
        if detail is None:
            return False
        text = self.comment_edit.toPlainText().strip() or None
        before = detail.draft.comment if detail.draft else None
        had_draft = detail.draft is not None
        if self._handed is not None and self._handed[0] == detail.key:
            # Handed over already, not shown saved yet: that save made (or changed) a draft.
            before, had_draft = self._handed[1], True
        if text == before:
            return False
        self._handed = (detail.key, text)
        self.changes_requested.emit(
            [CellChange(detail.key, Field.COMMENT, before, text, had_draft)], "Edit comment")
        return True

    def _on_discard_button_clicked(self) -> None:
        if self.detail is not None and self.detail.draft is not None:
            self.discard_requested.emit(self.detail.key)

    def _on_conflict_box_resolution_requested(self, resolution: Resolution,
                                              conflict: ConflictRow) -> None:
        self.resolution_requested.emit(resolution, [conflict.entry_id], [conflict.key])

    def _on_keep_button_clicked(self) -> None:
        if self.detail is not None and self.comment_edit.toPlainText().strip():
            self.comment_banked.emit(self.detail.line_item.url,
                                     self.comment_edit.toPlainText().strip())

    def _on_file_url_text_changed(self, text: str) -> None:
        name = _file_name(text)
        guessed = _media_type(text)
        self.file_type.setText(guessed or ("unknown: sent as a binary file" if name else ""))
        self.file_error.setText("")

    def attach_file(self, url: str, title: str = "") -> bool:
        """Queue a file content item on the selected result (as an undoable edit)."""
        detail = self.detail
        if detail is None:
            return False
        try:
            # The type comes from the URL's file name, whatever the title says
            # (ContentItem.for_file would guess it from the title).
            item = ContentItem.for_file(url.strip(), title.strip() or None,
                                        _media_type(url) or "application/octet-stream")
        except InputError as error:
            self.file_error.setText(f"⚠ {error.user_message}")
            return False
        before = detail.draft.attachments if detail.draft else ()
        self.changes_requested.emit(
            [CellChange(detail.key, Field.ADD_FILE, before, item, detail.draft is not None)],
            "Attach file")
        self.file_url.clear()
        self.file_title.clear()
        return True

    def _on_attach_button_clicked(self) -> None:
        self.attach_file(self.file_url.text(), self.file_title.text())

