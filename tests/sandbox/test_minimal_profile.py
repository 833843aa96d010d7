"""``--profile minimal``: a platform doing only what 1EdTech AGS 2.0 requires, on Moodle-shaped
URLs. Checked over raw HTTP, so a client that leans on Canvas's generosity is caught here first."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from wire_support import AGS_SCOPES, LINEITEM_RO, NRPS, bearer, new_key, public_pem, token_reply

from gradedesk.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from gradedesk.sandbox.cli import build_parser

EXTENSION = "https://canvas.instructure.com/lti/submission"
SUBMISSION_TYPE = "https://canvas.instructure.com/lti/submission_type"
ITEM_KEYS = {"id", "label", "scoreMaximum", "resourceId", "tag", "resourceLinkId",
             "startDateTime", "endDateTime"}


@pytest.fixture(scope="module")
def tool_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def sandbox(tool_key: rsa.RSAPrivateKey) -> Iterator[RunningSandbox]:
    # The throttle is asked for, and must stay off in this profile all the same.
    with start_sandbox(SandboxConfig(seed=3, profile="minimal", throttle=True,
                                     tool_public_keys=[public_pem(tool_key)])) as sb:
        yield sb


@pytest.fixture
def auth(sandbox: RunningSandbox, tool_key: rsa.RSAPrivateKey) -> dict[str, str]:
    return bearer(sandbox.info, tool_key)


def stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).isoformat()


def learners(sandbox: RunningSandbox) -> list[str]:
    roster = httpx.get(sandbox.info["roster_url"]).json()
    return [p["user_id"] for p in roster if p["section"]]


def roster_id(sandbox: RunningSandbox, name: str) -> str:
    roster = httpx.get(sandbox.info["roster_url"]).json()
    return str(next(p["user_id"] for p in roster if p["name"] == name))


def sub_url(item_id: str, tail: str) -> str:
    """``tail`` appended to the id's path, its query kept: the only right way on this shape."""
    parts = urlsplit(item_id)
    return parts._replace(path=parts.path + tail).geturl()


def new_item(sandbox: RunningSandbox, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {"label": "Lab 9: Transpiration", "scoreMaximum": 20, "tag": "lab",
            "resourceId": "lab-9", **fields}
    reply = httpx.post(sandbox.info["lineitems_url"], headers=auth, json=body)
    assert reply.status_code == 201, reply.text
    created: dict[str, Any] = reply.json()
    return created


def score(user: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"userId": user, "activityProgress": "Completed",
                            "gradingProgress": "FullyGraded", "timestamp": stamp()}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def results_of(item_id: str, auth: dict[str, str]) -> dict[str, dict[str, Any]]:
    reply = httpx.get(sub_url(item_id, "/results"), headers=auth)
    assert reply.status_code == 200, reply.text
    return {row["userId"]: row for row in reply.json()}


class TestInfo:
    def test_minimal_info_names_the_container_and_no_nrps(self, sandbox: RunningSandbox) -> None:
        info = sandbox.info
        course_id = info["course_id"]
        assert info["profile"] == "minimal"
        assert info["lineitems_url"] == f"{info['base_url']}/ags/{course_id}/lineitems?type_id=1"
        assert info["nrps_url"] is None and "course_url" not in info
        assert info["token_url"] == f"{info['base_url']}/login/oauth2/token"
        assert {"client_id", "issuer", "deployment_id", "ledger_url", "admin_url", "files_url",
                "roster_url"} <= set(info)

    def test_canvas_info_has_a_course_url_the_other_urls_derive_from(
            self, tool_key: rsa.RSAPrivateKey) -> None:
        with start_sandbox(SandboxConfig(seed=3, throttle=False,
                                         tool_public_keys=[public_pem(tool_key)])) as sb:
            info = sb.info
            assert info["profile"] == "canvas"
            parts = urlsplit(info["course_url"])
            origin, course_id = f"{parts.scheme}://{parts.netloc}", parts.path.rsplit("/", 1)[1]
            assert info["course_url"] == f"{info['base_url']}/courses/{info['course_id']}"
            assert info["token_url"] == f"{origin}/login/oauth2/token"
            assert info["lineitems_url"] == f"{origin}/api/lti/courses/{course_id}/line_items"
            assert info["nrps_url"] == f"{origin}/api/lti/courses/{course_id}/names_and_roles"
            page = httpx.get(info["course_url"])
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            assert "<title>Biology 101: Cells to Systems</title>" in page.text
            assert httpx.get(f"{origin}/courses/99999").status_code == 404
            headers = bearer(info, tool_key, (NRPS,))
            assert httpx.get(info["nrps_url"], headers=headers).status_code == 200

    def test_profile_is_checked_and_offered_on_the_command_line(self) -> None:
        with pytest.raises(ValueError, match="profile"):
            SandboxConfig(profile="moodle")
        assert build_parser().parse_args(["--profile", "minimal"]).profile == "minimal"
        assert build_parser().parse_args([]).profile == "canvas"

    def test_the_command_serves_the_minimal_profile(self, tmp_path: Path) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "gradedesk", "sandbox", "--profile", "minimal",
             "--state-dir", str(tmp_path / "state")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            info = json.loads(process.stdout.readline())
            assert info["profile"] == "minimal" and info["nrps_url"] is None
            assert info["lineitems_url"].endswith("/lineitems?type_id=1")
        finally:
            process.send_signal(signal.SIGTERM)
            _, errors = process.communicate(timeout=15)
        assert process.returncode == 0, errors
        assert "minimal profile" in errors


class TestQueryAndRoutes:
    def test_the_list_is_one_page_with_no_link_and_no_throttle(
            self, sandbox: RunningSandbox, auth: dict[str, str]) -> None:
        reply = httpx.get(sandbox.info["lineitems_url"], headers=auth)
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith(
            "application/vnd.ims.lis.v2.lineitemcontainer+json")
        assert "link" not in reply.headers
        assert not [h for h in reply.headers if h.lower().startswith("x-rate-limit")]
        items = reply.json()
        assert isinstance(items, list) and len(items) == 6
        for item in items:
            parts = urlsplit(item["id"])
            assert parts.path.endswith("/lineitem") and parts.query == "type_id=1"
            assert set(item) <= ITEM_KEYS and SUBMISSION_TYPE not in item

    def test_the_token_reply_has_no_throttle_headers(self, sandbox: RunningSandbox,
                                                     tool_key: rsa.RSAPrivateKey) -> None:
        reply = token_reply(sandbox.info, tool_key)
        assert reply.status_code == 200
        assert "X-Request-Cost" not in reply.headers
        refused = httpx.patch(sandbox.info["admin_url"] + "/settings", json={"throttle": True})
        assert refused.status_code == 400

    @pytest.mark.parametrize("extra", [{"limit": "2"}, {"user_id": "x"},
                                       {"resource_id": "lab-1"}, {"tag": "lab"},
                                       {"resource_link_id": "x"}, {"page": "2"},
                                       {"per_page": "50"}, {"anything": ""}])
    def test_any_other_query_parameter_gets_moodles_html_404(
            self, sandbox: RunningSandbox, auth: dict[str, str], extra: dict[str, str]) -> None:
        items = httpx.get(sandbox.info["lineitems_url"], headers=auth).json()
        for url in (sandbox.info["lineitems_url"], items[0]["id"],
                    sub_url(items[0]["id"], "/results")):
            reply = httpx.get(url, headers=auth, params=extra)
            assert reply.status_code == 404, url
            assert reply.headers["content-type"].startswith("text/html")
            assert reply.text.startswith("<!DOCTYPE html>")

    def test_type_id_is_required_and_must_be_1(self, sandbox: RunningSandbox,
                                               auth: dict[str, str]) -> None:
        container = sandbox.info["lineitems_url"].split("?")[0]
        item = httpx.get(sandbox.info["lineitems_url"], headers=auth).json()[0]["id"]
        for url in (container, item.split("?")[0]):
            assert httpx.get(url, headers=auth).status_code == 400
            assert httpx.get(url, headers=auth, params={"type_id": "2"}).status_code == 400
        missing = httpx.get(container, headers=auth)
        assert "error" in missing.json()

    def test_a_bearer_header_is_needed(self, sandbox: RunningSandbox) -> None:
        assert httpx.get(sandbox.info["lineitems_url"]).status_code == 401

    def test_canvas_routes_and_names_and_roles_do_not_exist(
            self, sandbox: RunningSandbox, tool_key: rsa.RSAPrivateKey) -> None:
        base, course_id = sandbox.info["base_url"], sandbox.info["course_id"]
        auth = bearer(sandbox.info, tool_key, (*AGS_SCOPES, NRPS))
        for path in ("line_items", "line_items/31", "line_items/31/results",
                     "names_and_roles", "progress/5501"):
            reply = httpx.get(f"{base}/api/lti/courses/{course_id}/{path}", headers=auth)
            assert reply.status_code == 404, path
        assert httpx.get(f"{base}/courses/{course_id}").status_code == 404

    def test_a_readonly_token_lists_but_cannot_create(self, sandbox: RunningSandbox,
                                                      tool_key: rsa.RSAPrivateKey) -> None:
        auth = bearer(sandbox.info, tool_key, (LINEITEM_RO,))
        assert httpx.get(sandbox.info["lineitems_url"], headers=auth).status_code == 200
        created = httpx.post(sandbox.info["lineitems_url"], headers=auth,
                             json={"label": "x", "scoreMaximum": 1})
        assert created.status_code == 401


class TestLineItems:
    def test_create_show_replace_delete(self, sandbox: RunningSandbox,
                                        auth: dict[str, str]) -> None:
        created = new_item(sandbox, auth, **{SUBMISSION_TYPE: {"type": "external_tool"}})
        assert SUBMISSION_TYPE not in created and set(created) <= ITEM_KEYS
        assert created["label"] == "Lab 9: Transpiration" and created["scoreMaximum"] == 20
        url = created["id"]
        assert urlsplit(url).path.endswith("/lineitem") and urlsplit(url).query == "type_id=1"
        shown = httpx.get(url, headers=auth)
        assert shown.status_code == 200 and shown.json() == created
        assert shown.headers["content-type"].startswith("application/vnd.ims.lis.v2.lineitem+json")
        # PUT replaces the whole item: what it leaves out is gone.
        replaced = httpx.put(url, headers=auth, json={"label": "Lab 9 (revised)",
                                                      "scoreMaximum": 25})
        assert replaced.status_code == 200
        assert replaced.json() == {"id": url, "label": "Lab 9 (revised)", "scoreMaximum": 25}
        assert httpx.get(url, headers=auth).json() == replaced.json()
        assert httpx.put(url, headers=auth, json={"scoreMaximum": 5}).status_code == 400
        assert httpx.put(url, headers=auth, json={"label": "x"}).status_code == 400
        assert httpx.delete(url, headers=auth).status_code == 204
        gone = httpx.get(url, headers=auth)
        assert gone.status_code == 404 and "error" in gone.json()
        listed = httpx.get(sandbox.info["lineitems_url"], headers=auth).json()
        assert url not in [item["id"] for item in listed]

    @pytest.mark.parametrize("body", [{"scoreMaximum": 10}, {"label": "", "scoreMaximum": 10},
                                      {"label": "x"}, {"label": "x", "scoreMaximum": -1},
                                      {"label": "x", "scoreMaximum": "10"}])
    def test_create_needs_a_label_and_a_maximum(self, sandbox: RunningSandbox,
                                                auth: dict[str, str],
                                                body: dict[str, Any]) -> None:
        reply = httpx.post(sandbox.info["lineitems_url"], headers=auth, json=body)
        assert reply.status_code == 400 and isinstance(reply.json()["error"], str)

    def test_a_seeded_item_can_be_deleted(self, sandbox: RunningSandbox,
                                          auth: dict[str, str]) -> None:
        item = httpx.get(sandbox.info["lineitems_url"], headers=auth).json()[0]["id"]
        assert httpx.delete(item, headers=auth).status_code == 204
        assert httpx.get(item, headers=auth).status_code == 404

    def test_another_tools_item_is_not_found(self, sandbox: RunningSandbox,
                                             auth: dict[str, str]) -> None:
        item = httpx.get(sandbox.info["lineitems_url"], headers=auth).json()[0]["id"]
        foreign = item.replace("/lineitems/31/", "/lineitems/999/")
        assert httpx.get(foreign, headers=auth).status_code == 404


class TestResults:
    def test_results_are_a_bare_array_with_ids_under_the_item(
            self, sandbox: RunningSandbox, auth: dict[str, str]) -> None:
        item = httpx.get(sandbox.info["lineitems_url"], headers=auth).json()[0]["id"]
        reply = httpx.get(sub_url(item, "/results"), headers=auth)
        assert reply.status_code == 200 and "link" not in reply.headers
        assert reply.headers["content-type"].startswith(
            "application/vnd.ims.lis.v2.resultcontainer+json")
        rows = reply.json()
        assert rows and len(rows) < len(learners(sandbox))  # only users with a result
        item_path = urlsplit(item).path
        for row in rows:
            assert set(row) <= {"id", "scoreOf", "userId", "resultScore", "resultMaximum",
                                "comment"}
            parts = urlsplit(row["id"])
            head, _, number = parts.path.rpartition("/results/")
            assert head == item_path and number.isdigit() and parts.query == "type_id=1"
            assert row["scoreOf"] == item


class TestScores:
    def test_a_score_gets_an_empty_200_and_a_ledger_entry(
            self, sandbox: RunningSandbox, auth: dict[str, str]) -> None:
        item = new_item(sandbox, auth)["id"]
        user = learners(sandbox)[0]
        body = score(user, scoreGiven=17, scoreMaximum=20, comment="Careful method.")
        reply = httpx.post(sub_url(item, "/scores"), headers=auth, json=body)
        assert reply.status_code == 200 and reply.content == b""
        assert "content-type" not in reply.headers
        assert not [h for h in reply.headers if h.lower().startswith("x-rate-limit")]
        row = results_of(item, auth)[user]
        assert row["resultScore"] == 17 and row["resultMaximum"] == 20
        assert row["comment"] == "Careful method." and row["scoreOf"] == item
        ledger = httpx.get(sandbox.info["ledger_url"]).json()
        assert len(ledger) == 1
        entry = ledger[0]
        assert set(entry) == {"seq", "via", "line_item_id", "user_id", "body", "received_at",
                              "result_url"}
        assert entry["via"] == "minimal" and entry["line_item_id"] == item
        assert entry["user_id"] == user and entry["body"] == body
        assert entry["result_url"] == row["id"]

    def test_a_score_without_score_given_clears_score_and_comment(
            self, sandbox: RunningSandbox, auth: dict[str, str]) -> None:
        item = new_item(sandbox, auth)["id"]
        user = learners(sandbox)[1]
        first = datetime.now(UTC)
        httpx.post(sub_url(item, "/scores"), headers=auth, json=score(
            user, scoreGiven=12, scoreMaximum=20, comment="Good.", timestamp=stamp(first)))
        reply = httpx.post(sub_url(item, "/scores"), headers=auth, json=score(
            user, gradingProgress="Pending", activityProgress="Submitted",
            timestamp=stamp(first + timedelta(seconds=1))))
        assert reply.status_code == 200
        row = results_of(item, auth)[user]
        assert "resultScore" not in row and "comment" not in row

    def test_an_older_timestamp_is_a_conflict_and_an_equal_one_is_not(
            self, sandbox: RunningSandbox, auth: dict[str, str]) -> None:
        item = new_item(sandbox, auth)["id"]
        user = learners(sandbox)[2]
        moment = datetime.now(UTC)
        scores = sub_url(item, "/scores")
        first = httpx.post(scores, headers=auth, json=score(
            user, scoreGiven=10, scoreMaximum=20, timestamp=stamp(moment)))
        assert first.status_code == 200
        stale = httpx.post(scores, headers=auth, json=score(
            user, scoreGiven=11, scoreMaximum=20,
            timestamp=stamp(moment - timedelta(milliseconds=1))))
        assert stale.status_code == 409
        assert stale.json() == {"error": "Score timestamp is older than the current result"}
        same = httpx.post(scores, headers=auth, json=score(
            user, scoreGiven=12, scoreMaximum=20, timestamp=stamp(moment)))
        assert same.status_code == 200
        assert results_of(item, auth)[user]["resultScore"] == 12
        assert len(httpx.get(sandbox.info["ledger_url"]).json()) == 2

    def test_a_colleagues_change_makes_an_older_score_conflict(
            self, sandbox: RunningSandbox, auth: dict[str, str]) -> None:
        item = httpx.get(sandbox.info["lineitems_url"], headers=auth).json()[0]["id"]
        user = learners(sandbox)[3]
        before = datetime.now(UTC) - timedelta(seconds=5)
        changed = httpx.post(sandbox.info["admin_url"] + "/results", json={
            "line_item_id": item, "user_id": user, "score_given": 9, "comment": "Regraded."})
        assert changed.status_code == 200, changed.text
        shown = httpx.get(sandbox.info["admin_url"] + "/result",
                          params={"line_item": item, "user_id": user})
        assert shown.status_code == 200 and shown.json()["resultScore"] == 9
        reply = httpx.post(sub_url(item, "/scores"), headers=auth, json=score(
            user, scoreGiven=5, scoreMaximum=10, timestamp=stamp(before)))
        assert reply.status_code == 409
        assert results_of(item, auth)[user]["comment"] == "Regraded."

    @pytest.mark.parametrize("who", ["Miriam Okonkwo", "Test Student", "canvas id"])
    def test_only_a_learner_of_the_course_by_lti_id(self, sandbox: RunningSandbox,
                                                    auth: dict[str, str], who: str) -> None:
        item = httpx.get(sandbox.info["lineitems_url"], headers=auth).json()[0]["id"]
        if who == "canvas id":
            roster = httpx.get(sandbox.info["roster_url"]).json()
            user = str(next(p["canvas_id"] for p in roster if p["section"]))
        else:
            user = roster_id(sandbox, who)
        reply = httpx.post(sub_url(item, "/scores"), headers=auth,
                           json=score(user, scoreGiven=1, scoreMaximum=10))
        assert reply.status_code == 422
        assert reply.json() == {"error": "User is not a learner in this context"}

    @pytest.mark.parametrize("change", [
        {"userId": None}, {"activityProgress": None}, {"gradingProgress": None},
        {"timestamp": None}, {"gradingProgress": "Graded"}, {"activityProgress": "Done"},
        {"timestamp": "yesterday"}, {"scoreGiven": 3}, {"scoreGiven": -1, "scoreMaximum": 10},
        {"scoreGiven": 3, "scoreMaximum": -10},
    ])
    def test_bad_scores_are_400(self, sandbox: RunningSandbox, auth: dict[str, str],
                                change: dict[str, Any]) -> None:
        item = httpx.get(sandbox.info["lineitems_url"], headers=auth).json()[0]["id"]
        body = score(learners(sandbox)[0], **change)
        reply = httpx.post(sub_url(item, "/scores"), headers=auth, json=body)
        assert reply.status_code == 400 and isinstance(reply.json()["error"], str)

    def test_the_canvas_submission_extension_is_ignored(
            self, sandbox: RunningSandbox, auth: dict[str, str]) -> None:
        item = new_item(sandbox, auth)["id"]
        user = learners(sandbox)[4]
        extension = {"new_submission": True, "submission_type": "online_upload",
                     "content_items": [{"type": "file", "title": "essay.txt",
                                        "url": sandbox.info["files_url"] + "/essay.txt"}]}
        reply = httpx.post(sub_url(item, "/scores"), headers=auth, json=score(
            user, scoreGiven=15, scoreMaximum=20, **{EXTENSION: extension}))
        assert reply.status_code == 200 and reply.content == b""
        shown = httpx.get(sandbox.info["admin_url"] + "/result",
                          params={"line_item": item, "user_id": user}).json()
        assert shown["attempts"] == 0 and shown["resultScore"] == 15
        assert sandbox.state.course.progress == {}
        assert EXTENSION not in results_of(item, auth)[user]
