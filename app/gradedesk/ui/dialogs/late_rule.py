"""Column > Late and missing…: the column's late rule (percent of the score per day or hour
late, an optional cap, a grace period), its due date, and two buttons that propose grades for
review: the penalties the rule gives, and 0 for work that is missing. Nothing is sent until the
grader accepts the proposals; the rule in words under the fields says exactly what it does."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gradedesk.domain import InputError
from gradedesk.domain.late_policy import LateRule, LateUnit
from gradedesk.ui.late_presenter import LateOutcome, LateSetup
from gradedesk.ui.sync_states import warning_color

_WEEK_MINUTES = 7 * 24 * 60


class LateRuleDialog(QDialog):
    apply_requested = Signal(object)  # LateRule
    missing_requested = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Late and missing — {label}")
        self.setAccessibleName("Late and missing work")
        self.setModal(False)
        layout = QVBoxLayout(self)
        self.due = QLabel(self)
        self.due.setWordWrap(True)
        self.due.setAccessibleName("Due date")
        layout.addWidget(self.due)

        form = QFormLayout()
        self.percent = QDoubleSpinBox(self)
        self.percent.setRange(0, 100)
        self.percent.setDecimals(2)
        self.percent.setSuffix(" %")
        self.percent.setValue(10)
        self.percent.setAccessibleName("Percent of the score off")
        self.per = QComboBox(self)
        self.per.addItem("per day late", LateUnit.DAY.value)
        self.per.addItem("per hour late", LateUnit.HOUR.value)
        self.per.setAccessibleName("Per day or per hour")
        off = QHBoxLayout()
        off.addWidget(self.percent)
        off.addWidget(self.per)
        take_off = QLabel("&Take off", self)
        take_off.setBuddy(self.percent)
        form.addRow(take_off, off)
        self.cap_on = QCheckBox("&At most", self)
        self.cap = QDoubleSpinBox(self)
        self.cap.setRange(0, 100)
        self.cap.setDecimals(2)
        self.cap.setSuffix(" % in all")
        self.cap.setValue(30)
        self.cap.setAccessibleName("Cap in percent of the score")
        capped = QHBoxLayout()
        capped.addWidget(self.cap_on)
        capped.addWidget(self.cap)
        form.addRow(QLabel("Cap", self), capped)
        self.grace = QSpinBox(self)
        self.grace.setRange(0, _WEEK_MINUTES)
        self.grace.setSuffix(" minutes")
        self.grace.setAccessibleName("Grace period in minutes")
        form.addRow("&Grace", self.grace)
        layout.addLayout(form)

        self.words = QLabel(self)
        self.words.setWordWrap(True)
        self.words.setAccessibleName("The rule in words")
        layout.addWidget(self.words)
        self.outcome = QLabel(self)
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("What was proposed")
        layout.addWidget(self.outcome)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.error.setAccessibleName("Problem")
        layout.addWidget(self.error)

        buttons = QHBoxLayout()
        self.apply_button = QPushButton("&Propose penalties", self)
        self.apply_button.setToolTip("Keep this rule for the column and propose the late "
                                     "penalties it gives; none is sent until you accept it.")
        self.missing_button = QPushButton("Mark &missing", self)
        self.missing_button.setToolTip("Propose 0 for each student with no submission, once "
                                       "the due date has passed; none is sent until accepted.")
        self.close_button = QPushButton("&Close", self)
        pushed = [self.apply_button, self.missing_button, self.close_button]
        for button in pushed:
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.insertStretch(2)
        layout.addLayout(buttons)
        for first, second in pairwise([self.percent, self.per, self.cap_on, self.cap,
                                       self.grace, *pushed]):
            QWidget.setTabOrder(first, second)

        self.apply_button.clicked.connect(self._on_apply_clicked)
        self.missing_button.clicked.connect(self._on_missing_clicked)
        self.close_button.clicked.connect(self.close)
        self.cap_on.toggled.connect(self.cap.setEnabled)
        for changed in (self.percent.valueChanged, self.cap.valueChanged,
                        self.grace.valueChanged, self.per.currentIndexChanged,
                        self.cap_on.toggled):
            changed.connect(self._update_words)
        self.cap.setEnabled(False)
        self.setMinimumWidth(560)  # room for the rule in words and the outcome
        self._has_due = False
        self.set_busy(True)  # until the column's rule is loaded
        self._update_words()

    def show_setup(self, setup: LateSetup) -> None:
        """Fill the fields with the column's rule (or leave the suggestion) and its due date."""
        rule = setup.rule
        if rule is not None:
            self.percent.setValue(float(rule.percent))
            self.per.setCurrentIndex(self.per.findData(rule.per.value))
            self.cap_on.setChecked(rule.cap is not None)
            if rule.cap is not None:
                self.cap.setValue(float(rule.cap))
            self.grace.setValue(rule.grace_minutes)
        self._has_due = setup.due is not None
        self.due.setText(f"Due {setup.due}. Each submission's submitted time is judged "
                         "against it." if setup.due is not None else
                         "This column has no due date (end date), so nothing can be judged "
                         "late or missing. Set one with `gradedesk column edit`.")
        self.set_busy(False)
        self.adjustSize()

    def rule(self) -> LateRule:
        """The rule the fields give (they only allow sensible values; the domain checks)."""
        return LateRule(percent=_decimal(self.percent.value()),
                        per=LateUnit(str(self.per.currentData())),
                        cap=_decimal(self.cap.value()) if self.cap_on.isChecked() else None,
                        grace_minutes=self.grace.value())

    def show_outcome(self, outcome: LateOutcome) -> None:
        self.outcome.setText(outcome.text)
        self.show_problem("")
        self.set_busy(False)
        self.adjustSize()  # the outcome may run to a few lines: grow, never squeeze the fields

    def show_problem(self, text: str) -> None:
        self.error.setText(f"⚠ {text}" if text else "")
        self.error.setStyleSheet(f"color: {warning_color(self.palette()).name()};")
        self.error.setVisible(bool(text))
        self.set_busy(False)
        self.adjustSize()

    def set_busy(self, busy: bool) -> None:
        self.apply_button.setEnabled(not busy and self._has_due)
        self.missing_button.setEnabled(not busy and self._has_due)

    def _update_words(self) -> None:
        try:
            self.words.setText(f"{self.rule().describe()}. Never below 0.")
        except InputError as error:  # the spin boxes should make this impossible
            self.words.setText(error.user_message)

    def _on_apply_clicked(self) -> None:
        self.set_busy(True)
        self.outcome.setText("")
        self.apply_requested.emit(self.rule())

    def _on_missing_clicked(self) -> None:
        self.set_busy(True)
        self.outcome.setText("")
        self.missing_requested.emit()


def _decimal(value: float) -> Decimal:
    """A spin box's value as the decimal it shows (two places)."""
    return Decimal(f"{value:.2f}")
