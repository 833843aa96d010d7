"""Issue 14, part 4, through real processes against the sandbox: ``gradedesk hold`` keeps a
column's grades saved and queued while pushes send the other columns' grades; ``status`` says
what is held; ``gradedesk release`` warns that Canvas students see the scores at once, lifts
the hold and sends each score exactly once in one push (read back from the platform's ledger
and results), after which a push sends nothing; ``--no-push`` only lifts the hold."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from cli_support import Gradedesk, SandboxProcess

pytestmark = pytest.mark.usefixtures("secret_store")

HELD, OPEN = "32", "34"  # line items with several students the seeded course has not graded
WARNING = "students see these scores at once"


def _ungraded(gd: Gradedesk, line_item: str, count: int) -> tuple[str, list[str]]:
    """The line item's URL and ``count`` students it holds no score for."""
    shown = gd.ok("show", "canvas", "--line-item", line_item, "--json").json()
    users = [s["user_id"] for s in shown["students"]
             if s["score"] is None and s["name"] != "Test Student"]
    assert len(users) >= count
    return shown["line_item"]["id"], users[:count]


def _posts(sandbox: SandboxProcess) -> Counter[tuple[str, str]]:
    return Counter((entry["line_item_id"], entry["user_id"]) for entry in sandbox.ledger())


def _platform_score(sandbox: SandboxProcess, url: str, user: str) -> Any:
    reply = httpx.get(f"{sandbox.info['admin_url']}/result",
                      params={"line_item": url, "user_id": user}, timeout=10)
    if reply.status_code == 404:
        return None  # the platform has no result for them at all
    reply.raise_for_status()
    return reply.json()["resultScore"]


def test_a_held_column_sends_nothing_until_release_then_each_score_once(
        gd: Gradedesk, sandbox: SandboxProcess) -> None:
    held_url, held_users = _ungraded(gd, HELD, 4)
    open_url, [open_user] = _ungraded(gd, OPEN, 1)

    held = gd.ok("hold", "canvas", "--line-item", HELD)
    assert "not sent until you release it" in held.out
    for number, user in enumerate(held_users):
        gd.ok("grade", "canvas", "--line-item", HELD, "--user", user,
              "--score", str(number + 6), "--comment", f"Held {number}.")
    gd.ok("grade", "canvas", "--line-item", OPEN, "--user", open_user, "--score", "9")

    pushed = gd.ok("push", "canvas", "--json").json()
    assert (pushed["confirmed"], pushed["held"], pushed["ok"]) == (1, 4, True)
    assert _posts(sandbox) == Counter({(open_url, open_user): 1})
    for user in held_users:
        assert _platform_score(sandbox, held_url, user) is None

    text_push = gd.ok("push", "canvas")  # nothing new to send; the held grades stay
    assert "0 confirmed, 0 conflicts, 0 failed, 4 held" in text_push.out
    assert "Held, not sent until released: 4 grades" in text_push.out
    assert sum(_posts(sandbox).values()) == 1

    status = gd.ok("status", "canvas", "--json").json()["connections"][0]
    assert (status["queued"], status["held"]) == (4, 4)
    [column] = status["held_line_items"]
    assert (column["line_item"], column["short_id"], column["queued"]) == (held_url, HELD, 4)
    assert all(entry["held"] for entry in status["outbox"])
    said = gd.ok("status", "canvas").out
    assert f"held: {column['label']} ({HELD}): 4 queued" in said
    assert f"gradedesk release canvas --line-item {HELD}" in said

    released = gd.run("release", "canvas", "--line-item", HELD)
    assert released.code == 0, released.err
    assert WARNING in released.err
    assert f"Released “{column['label']}”; pushing its 4 grades now." in released.out
    assert "4 confirmed, 0 conflicts, 0 failed" in released.out
    assert _posts(sandbox) == Counter({(open_url, open_user): 1,
                                       **{(held_url, user): 1 for user in held_users}})
    for number, user in enumerate(held_users):
        assert _platform_score(sandbox, held_url, user) == number + 6
        said_to_student = [c["comment"] for c in sandbox.result(held_url, user)["comments"]]
        assert said_to_student.count(f"Held {number}.") == 1

    again = gd.ok("push", "canvas", "--json").json()
    assert (again["confirmed"], again["held"]) == (0, 0)
    assert sum(_posts(sandbox).values()) == 5
    status = gd.ok("status", "canvas", "--json").json()["connections"][0]
    assert (status["queued"], status["held"], status["held_line_items"]) == (0, 0, [])


def test_json_documents_and_release_without_a_push(gd: Gradedesk,
                                                   sandbox: SandboxProcess) -> None:
    url, users = _ungraded(gd, HELD, 2)
    document = gd.ok("hold", "canvas", "--line-item", HELD, "--json").json()
    assert document == {"connection": "canvas", "line_item": url, "short_id": HELD,
                        "label": document["label"], "held": True, "changed": True,
                        "queued": 0}
    again = gd.ok("hold", "canvas", "--line-item", url, "--json").json()  # by URL, held already
    assert (again["held"], again["changed"]) == (True, False)
    for user in users:
        gd.ok("grade", "canvas", "--line-item", HELD, "--user", user, "--score", "3")

    lifted = gd.run("release", "canvas", "--line-item", HELD, "--no-push", "--json")
    assert lifted.code == 0, lifted.err
    assert WARNING in lifted.err  # the next push sends them: said now
    assert lifted.json() == {**document, "held": False, "changed": True, "queued": 2,
                             "push": None}
    assert sandbox.ledger() == []
    status = gd.ok("status", "canvas", "--json").json()["connections"][0]
    assert (status["queued"], status["held"]) == (2, 0)

    # Released already: release pushes all the same, and its document carries the push's.
    released = gd.run("release", "canvas", "--line-item", HELD, "--json")
    assert released.code == 0, released.err
    body = released.json()
    assert (body["held"], body["changed"], body["queued"]) == (False, False, 2)
    assert (body["push"]["confirmed"], body["push"]["held"], body["push"]["ok"]) == (2, 0, True)
    assert _posts(sandbox) == Counter({(url, user): 1 for user in users})


def test_holding_an_unknown_column_is_a_clear_error_and_hold_works_offline(
        gd: Gradedesk, sandbox: SandboxProcess) -> None:
    for command in ("hold", "release"):
        refused = gd.run(command, "canvas", "--line-item", "999")
        assert refused.code == 1
        assert "No line item '999' in 'canvas'" in refused.err
        assert "Traceback" not in refused.err
    missing = gd.run("hold", "nowhere", "--line-item", HELD)
    assert missing.code == 1 and "nowhere" in missing.err and "Traceback" not in missing.err
    assert gd.ok("status", "canvas", "--json").json()["connections"][0]["held_line_items"] == []

    sandbox.stop()  # hold (and release --no-push) need no platform
    gd.ok("hold", "canvas", "--line-item", HELD)
    status = gd.ok("status", "canvas", "--json").json()["connections"][0]
    assert [c["short_id"] for c in status["held_line_items"]] == [HELD]
    gd.ok("release", "canvas", "--line-item", HELD, "--no-push")
    assert gd.ok("status", "canvas", "--json").json()["connections"][0]["held_line_items"] == []
