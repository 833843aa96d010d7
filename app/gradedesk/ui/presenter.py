"""The presenter: widgets ask it for things, it runs them on the lanes and announces results.

It is composed of parts, one module each: the shared core (signals, lanes, the network job,
online state: presenter_core), loading (presenter_loading), editing (presenter_editing), sync
(presenter_sync) and connections (presenter_connections).
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from gradedesk.ui.column_presenter import ColumnPresenter
from gradedesk.ui.context import AppContext
from gradedesk.ui.presenter_connections import ConnectionsPart
from gradedesk.ui.presenter_core import (
    NETWORK_TIME_LIMIT_S,
    REFRESH_BATCH_MS,
    UNREACHABLE_LEAD,
    unreachable_text,
)
from gradedesk.ui.presenter_editing import EditingPart
from gradedesk.ui.presenter_sync import SyncPart
from gradedesk.ui.proposals_presenter import ProposalsPresenter
from gradedesk.ui.rubric_presenter import RubricPresenter
from gradedesk.ui.setup_presenter import SetupPresenter

__all__ = ["NETWORK_TIME_LIMIT_S", "REFRESH_BATCH_MS", "UNREACHABLE_LEAD", "Presenter",
           "unreachable_text"]


class Presenter(EditingPart, SyncPart, ConnectionsPart):
    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(context, parent)
        self.setup = SetupPresenter(self)
        self.columns = ColumnPresenter(self)
        self.proposals = ProposalsPresenter(self)
        self.rubrics = RubricPresenter(self)
