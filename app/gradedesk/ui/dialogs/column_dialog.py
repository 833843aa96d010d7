"""New column: label, points, an optional tag and dates, on the platform now or (offline) by
the next push. The dialog stays open, with what was typed, until the column exists; a refusal
shows the core's message in it."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gradedesk.sync.columns import ColumnChanges, NewColumn
from gradedesk.ui.presenter import Presenter
from gradedesk.ui.setup_text import in_window_words

MAX_POINTS = 100_000.0


def _when(parent: QWidget, name: str, hours: int) -> tuple[QCheckBox, QDateTimeEdit]:
    """An optional date: a check box turns the (local time) editor on."""
    toggle = QCheckBox(parent)
    toggle.setAccessibleName(f"Set a {name.lower()} date")
    edit = QDateTimeEdit(parent)
    edit.setAccessibleName(f"{name} date and time")
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    day = QDateTime.currentDateTime().addDays(1)
    day.setTime(QTime(hours, 0))
    edit.setDateTime(day)
    edit.setEnabled(False)
    toggle.toggled.connect(edit.setEnabled)
    return toggle, edit


def _utc(edit: QDateTimeEdit) -> datetime:
    """The local time shown, as an aware UTC moment (the wire wants an explicit offset)."""
    return datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), UTC)


class NewColumnDialog(QDialog):
    def __init__(self, presenter: Presenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.setWindowTitle("New column")
        self.setAccessibleName("New column")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        intro = QLabel("A column of your own (a paper test, an oral exam). Grade in it at once; "
                       "it is created on the platform now, or by the next push.", self)
        intro.setWordWrap(True)
        intro.setAccessibleName("About new columns")
        layout.addWidget(intro)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.label = QLineEdit(self)
        self.label.setAccessibleName("Column label")
        self.label.setPlaceholderText("e.g. Paper test 1")
        self.points = QDoubleSpinBox(self)
        self.points.setAccessibleName("Points possible")
        self.points.setRange(0.0, MAX_POINTS)
        self.points.setDecimals(2)
        self.points.setValue(10.0)
        self.tag = QLineEdit(self)
        self.tag.setAccessibleName("Tag (optional)")
        self.tag.setPlaceholderText("optional, e.g. paper")
        self.start_on, self.start = _when(self, "Start", 8)
        self.end_on, self.end = _when(self, "End", 23)
        form.addRow("&Label", self.label)
        form.addRow("&Points", self.points)
        form.addRow("&Tag", self.tag)
        form.addRow("&Start", self._dated(self.start_on, self.start))
        form.addRow("&End", self._dated(self.end_on, self.end))
        layout.addLayout(form)

        self.offline = QCheckBox("Only on this computer for now (the next push creates it)",
                                 self)
        self.offline.setAccessibleName("Keep the column on this computer until the next push")
        layout.addWidget(self.offline)
        self.error = QLabel(self)
        self.error.setAccessibleName("Why the column was not made")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        layout.addWidget(self.error)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.create_button = QPushButton("Create column", self)
        self.create_button.setAccessibleName("Create column")
        self.create_button.setDefault(True)  # Enter in a field creates: nothing is lost
        self.create_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel new column")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        presenter.columns.column_added.connect(self._on_columns_column_added)
        self._waiting = False

    def _dated(self, toggle: QCheckBox, edit: QDateTimeEdit) -> QWidget:
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(toggle)
        line.addWidget(edit, 1)
        return row

    def changes(self) -> ColumnChanges:
        return ColumnChanges(
            label=self.label.text().strip(), points=self.points.value(),
            tag=self.tag.text().strip() or None,
            start=_utc(self.start) if self.start_on.isChecked() else None,
            end=_utc(self.end) if self.end_on.isChecked() else None)

    def submit(self) -> None:
        if self._waiting:
            return
        if not self.label.text().strip():
            self.refuse("Give the column a label.")
            self.label.setFocus()
            return
        self.error.hide()
        self._set_waiting(True)
        if not self.presenter.columns.add_column(self.changes(), offline=self.offline.isChecked(),
                                                 on_refused=self.refuse):
            self.refuse("Another job is running (see the status bar): wait for it, or tick "
                        "“Only on this computer for now”.")

    def refuse(self, message: str) -> None:
        """Show why the column was not made; everything typed stays."""
        self._set_waiting(False)
        self.error.setText(f"⚠ {in_window_words(message)}")
        self.error.show()

    def _set_waiting(self, waiting: bool) -> None:
        self._waiting = waiting
        self.create_button.setEnabled(not waiting)
        self.create_button.setText("Creating…" if waiting else "Create column")

    def _on_columns_column_added(self, added: NewColumn) -> None:
        if self._waiting:
            self._set_waiting(False)
            self.accept()
