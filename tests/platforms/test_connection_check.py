"""``connection check`` against the sandbox: each failure a teacher can meet is named, with its
fix, and the steps after a failed one are skipped rather than reported as more failures."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from platform_support import sandbox_config

from gradedesk.platforms.check import CheckContext, CheckStatus, check_platform, clock_skew_s
from gradedesk.platforms.lti_advantage import LtiAdvantageClient

CONTEXT = CheckContext("bio", client_id="10000000000001", platform_title="Canvas")


def statuses(report: Any) -> dict[str, CheckStatus]:
    return {step.step: step.status for step in report.steps}


def step(report: Any, name: str) -> Any:
    return next(found for found in report.steps if found.step == name)


def test_a_working_course_passes_every_step(sandbox: Any, private_pem: bytes) -> None:
    with LtiAdvantageClient(sandbox_config(sandbox.info), private_pem) as client:
        report = check_platform(client, CONTEXT)
    assert report.ok and set(statuses(report).values()) == {CheckStatus.OK}
    assert report.clock_skew_s is not None and abs(report.clock_skew_s) < 5


def test_a_wrong_client_id_is_named(sandbox: Any, private_pem: bytes) -> None:
    config = sandbox_config(sandbox.info, client_id="10000000000777")
    with LtiAdvantageClient(config, private_pem) as client:
        report = check_platform(client, CheckContext("bio", client_id="10000000000777"))
    token = step(report, "token")
    assert token.status is CheckStatus.ERROR and "10000000000777" in token.detail
    assert statuses(report)["line items"] is CheckStatus.SKIPPED


def test_a_clock_far_ahead_is_named(sandbox: Any, private_pem: bytes) -> None:
    ahead = LtiAdvantageClient(sandbox_config(sandbox.info), private_pem,
                               clock=lambda: time.time() + 600)
    with ahead as client:
        report = check_platform(client, CONTEXT)
    token = step(report, "token")
    assert token.status is CheckStatus.ERROR
    assert "clock" in token.detail and "automatically" in token.fix


def test_a_skewed_clock_that_still_works_is_a_warning() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert clock_skew_s(format_datetime(now - timedelta(seconds=45), usegmt=True), now) == 45
    assert clock_skew_s("not a date", now) is None
    assert clock_skew_s(None, now) is None


def test_a_course_that_concluded_is_named(sandbox: Any, private_pem: bytes) -> None:
    sandbox.settings(course_state="concluded", ags_improved_course_concluded_response_codes=True)
    with LtiAdvantageClient(sandbox_config(sandbox.info), private_pem) as client:
        report = check_platform(client, CONTEXT)
    items = step(report, "line items")
    assert items.status is CheckStatus.ERROR and "concluded" in items.detail


def test_without_names_and_roles_the_students_step_warns(sandbox: Any,
                                                         private_pem: bytes) -> None:
    config = sandbox_config(sandbox.info, nrps_url=None)
    with LtiAdvantageClient(config, private_pem) as client:
        report = check_platform(client, CONTEXT)
    assert report.ok and statuses(report)["students"] is CheckStatus.WARNING
    assert "user id" in step(report, "students").detail
