"""Column > Late and missing…: the dialog for the current column's late rule, wired to its
presenter. After a run, the dialog says what was proposed, and the review of proposed grades
opens when there is anything to review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gradedesk.store import LineItemRow

if TYPE_CHECKING:  # the dialog's and the presenter's modules load when first needed
    from gradedesk.domain.late_policy import LateRule
    from gradedesk.ui.dialogs.late_rule import LateRuleDialog
    from gradedesk.ui.late_presenter import LateOutcome, LatePresenter, LateSetup
    from gradedesk.ui.views.main_window import MainWindow


class LateCommands:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._presenter: LatePresenter | None = None
        self.dialog: LateRuleDialog | None = None
        self._url: str | None = None

    @property
    def presenter(self) -> LatePresenter:
        """Made when the dialog first opens: the late rules' code is not part of the first
        frame."""
        if self._presenter is None:
            from gradedesk.ui.late_presenter import LatePresenter

            self._presenter = LatePresenter(self._window.presenter)
            self._presenter.loaded.connect(self._on_presenter_loaded)
            self._presenter.proposed.connect(self._on_presenter_proposed)
        return self._presenter

    def open_late_rule(self, row: LineItemRow | None = None) -> LateRuleDialog | None:
        """Open the late rule of ``row`` (else the current column), loaded from the store."""
        row = row or self._window.current_column()
        if row is None:
            return None
        from gradedesk.ui.dialogs.late_rule import LateRuleDialog

        if self.dialog is not None:
            self.dialog.close()
        dialog = LateRuleDialog(row.label, self._window)
        dialog.apply_requested.connect(self._on_dialog_apply_requested)
        dialog.missing_requested.connect(self._on_dialog_missing_requested)
        self.dialog, self._url = dialog, row.url
        dialog.show()
        self.presenter.load(row.url, on_refused=dialog.show_problem)
        return dialog

    def _on_dialog_apply_requested(self, rule: LateRule) -> None:
        if self.dialog is not None and self._url is not None:
            self.presenter.apply(self._url, rule, on_refused=self.dialog.show_problem)

    def _on_dialog_missing_requested(self) -> None:
        if self.dialog is not None and self._url is not None:
            self.presenter.mark_missing(self._url, on_refused=self.dialog.show_problem)

    def _on_presenter_loaded(self, setup: LateSetup) -> None:
        if self.dialog is not None and setup.line_item_url == self._url:
            self.dialog.show_setup(setup)

    def _on_presenter_proposed(self, outcome: LateOutcome) -> None:
        if self.dialog is not None and outcome.line_item_url == self._url:
            self.dialog.show_outcome(outcome)
        self._window.show_message(outcome.text)
        if outcome.proposed:
            self._window.open_proposals()
