"""Helpers for the grading mode tests: submissions needing grading, made on the sandbox the way
a class hands work in (its admin API), then pulled."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from gui_support import SandboxCourse

from gradedesk.store import LineItemRow, snapshots

TEST_STUDENT = "Student, Test"  # Canvas's Test Student: the platform refuses its grades


def _post(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(  # noqa: S310 - the test's own loopback sandbox
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


def line_items(course: SandboxCourse) -> list[LineItemRow]:
    """The course's line items in the window's order (the tree's: by label)."""
    context, connection = course.context, course.connection
    assert connection is not None
    return snapshots.list_line_items(context.db, connection.id)


def set_pending(course: SandboxCourse, per_item: dict[str, int]) -> dict[str, list[str]]:
    """Exactly ``per_item[url]`` submissions needing grading in each of those line items:
    the first learners (roster order, the test student aside) hand work in with no score
    yet, a teacher scores everyone else's. Pulls, so the store knows. Returns the user ids
    waiting, per line item, in roster order."""
    context, connection = course.context, course.connection
    assert connection is not None
    learners = [member for member in snapshots.list_members(context.db, connection.id,
                                                             learners_only=True)
                if member.sort_name != TEST_STUDENT]
    admin = f"{course.info['admin_url']}/results"
    waiting: dict[str, list[str]] = {}
    for url, count in per_item.items():
        assert count <= len(learners)
        waiting[url] = [member.user_id for member in learners[:count]]
        for index, member in enumerate(learners):
            if index < count:
                body = {"score_given": None, "grading_progress": "PendingManual"}
            else:
                body = {"score_given": 7, "grading_progress": "FullyGraded"}
            _post(admin, {"line_item_id": url, "user_id": member.user_id, **body})
    course.pull()
    return waiting
