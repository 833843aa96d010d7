"""The rules that keep a colleague's newer grade and send each grade exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from conflict_table import CASES
from gradedesk.domain import Result, Score
from gradedesk.sync.conflicts import Landing, ServerCopy, did_it_land, server_changed

T = datetime(2026, 3, 1, 9, tzinfo=UTC)


def score(**changes: Any) -> Score:
    fields: dict[str, Any] = {"user_id": "u", "activity_progress": "Completed",
                              "grading_progress": "FullyGraded", "timestamp": T,
                              "score_given": 8.0, "score_maximum": 10.0}
    fields.update(changes)
    return Score(**fields)


class TestServerChanged:
    @pytest.mark.parametrize(("base", "live", "changed"), CASES)
    def test_the_one_rule(self, base: ServerCopy, live: ServerCopy, changed: bool) -> None:
        assert server_changed(base, live) is changed

    def test_copy_of_a_missing_result(self) -> None:
        assert ServerCopy.of(None) == ServerCopy(None, None, None)
        result = Result(user_id="u", result_score=0.0, result_maximum=10.0, comment="c")
        assert ServerCopy.of(result) == ServerCopy(0.0, 10.0, "c")


class TestDidItLand:
    def test_a_new_comment_on_the_server_means_it_landed(self) -> None:
        sent = score(comment="Nice work")
        assert did_it_land(sent, ServerCopy(None, None, None),
                           ServerCopy(8.0, 10.0, "Nice work")) is Landing.LANDED

    def test_the_old_comment_still_there_means_it_did_not(self) -> None:
        sent = score(comment="Nice work")
        before = ServerCopy(5.0, 10.0, "old")
        assert did_it_land(sent, before, before) is Landing.NOT_LANDED

    def test_an_unchanged_identical_comment_is_never_sent_twice(self) -> None:
        sent = score(comment="same")
        copy = ServerCopy(8.0, 10.0, "same")
        assert did_it_land(sent, copy, copy) is Landing.LANDED

    def test_without_a_comment_the_score_decides(self) -> None:
        sent = score()
        before = ServerCopy(5.0, 10.0, None)
        assert did_it_land(sent, before, ServerCopy(8.0, 10.0, None)) is Landing.LANDED
        assert did_it_land(sent, before, before) is Landing.NOT_LANDED

    def test_a_non_scoring_post_that_changed_nothing_may_be_resent(self) -> None:
        sent = score(grading_progress="Pending", score_given=None, score_maximum=None)
        copy = ServerCopy(None, None, None)
        assert did_it_land(sent, copy, copy) is Landing.NOT_LANDED
