"""Issue 9, finding 13: one "needs grading" rule for every view (it was written four ways)."""

from __future__ import annotations

import pytest

from gradedesk.domain import GradingProgress
from gradedesk.domain.grading_rules import needs_grading

P = GradingProgress


@pytest.mark.parametrize(("has_result", "result_score", "draft_grading", "draft_score",
                          "waiting"), [
    pytest.param(False, None, None, None, False, id="nothing submitted"),
    pytest.param(True, None, None, None, True, id="submitted, no score"),
    pytest.param(True, 7.0, None, None, False, id="graded on the platform"),
    pytest.param(True, None, P.FULLY_GRADED, 6.0, False, id="graded here"),
    pytest.param(True, 7.0, P.PENDING_MANUAL, 7.0, True, id="sent back for review"),
    pytest.param(False, None, P.PENDING_MANUAL, None, True, id="marked for review here"),
    pytest.param(True, 7.0, P.PENDING, None, True, id="score cleared on submitted work"),
    pytest.param(False, None, P.PENDING, None, False, id="cleared where nothing was"),
])
def test_needs_grading(has_result: bool, result_score: float | None,
                       draft_grading: GradingProgress | None, draft_score: float | None,
                       waiting: bool) -> None:
    assert needs_grading(has_result=has_result, result_score=result_score,
                         draft_grading=draft_grading, draft_score=draft_score) is waiting
