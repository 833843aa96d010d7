"""The LTIAAS client against the sandbox's LTIAAS-shaped API over real loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from platform_support import requires_sandbox

from gradedesk.domain import ActivityProgress, GradingProgress, Score, utc_now
from gradedesk.platforms.errors import AuthError, Rejected
from gradedesk.platforms.ltiaas import LtiaasClient

pytestmark = requires_sandbox


@pytest.fixture
def ltiaas(sandbox: Any) -> Iterator[LtiaasClient]:
    info = sandbox.info
    with LtiaasClient(info["ltiaas_url"], info["ltiaas_api_key"],
                      info["ltiaas_service_key"]) as client:
        yield client


def test_ltiaas_acceptance_flow(ltiaas: LtiaasClient) -> None:
    items = ltiaas.list_line_items()
    assert len(items) == 6
    roster = ltiaas.list_members()
    learners = roster.learners
    assert len(learners) == 25  # 24 students and the Test Student
    item = items[0]
    before = ltiaas.list_results(item.id)
    student = learners[0].user_id
    receipt = ltiaas.post_score(item.id, Score(
        user_id=student, activity_progress=ActivityProgress.COMPLETED,
        grading_progress=GradingProgress.FULLY_GRADED, timestamp=utc_now(),
        score_given=0.0, score_maximum=item.score_maximum or 1.0, comment="Zero, on purpose."))
    assert receipt.result_url is None
    [result] = ltiaas.list_results(item.id, user_id=student)  # 204 confirmed by reading back
    assert result.result_score == 0.0
    assert result.timestamp is not None
    assert len(ltiaas.list_results(item.id)) >= len(before)


def test_ltiaas_pages_through_url(sandbox: Any) -> None:
    info = sandbox.info
    with LtiaasClient(info["ltiaas_url"], info["ltiaas_api_key"], info["ltiaas_service_key"],
                      page_size=4) as client:
        assert len(client.list_line_items()) == 6
        assert len(client.list_members().learners) == 25


def test_ltiaas_bad_service_key_is_401(sandbox: Any) -> None:
    info = sandbox.info
    with LtiaasClient(info["ltiaas_url"], info["ltiaas_api_key"], "revoked") as client, \
            pytest.raises(AuthError, match="HTTP 401"):
        client.list_line_items()


def test_ltiaas_score_without_maximum_is_rejected(ltiaas: LtiaasClient) -> None:
    item = ltiaas.list_line_items()[0]
    student = ltiaas.list_members().learners[0].user_id
    with pytest.raises(Rejected) as caught:
        ltiaas.post_score_body(item.id, {"userId": student, "activityProgress": "Completed",
                                         "gradingProgress": "FullyGraded", "scoreGiven": 3})
    assert caught.value.status in (400, 422)
