"""Issue 13: a request's URL as its log line shows it: no user info, query or fragment, and no
path segment that may name a student, also inside the LMS URL LTIAAS carries as one segment."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from gradedesk.domain.redaction import loggable_url


@pytest.mark.parametrize(("url", "shown"), [
    # AGS results with the user_id filter and a page size: the query goes.
    ("https://school.instructure.com/api/lti/courses/7/line_items/31/results?user_id=abc-123"
     "&limit=50", "https://school.instructure.com/api/lti/courses/7/line_items/31/results"),
    # A result's own URL (Canvas, Brightspace): its id is hidden; user info and fragment go.
    ("https://me:pw@school.instructure.com/api/lti/courses/7/line_items/31/results/4711#top",
     "https://school.instructure.com/api/lti/courses/7/line_items/31/results/\u2026"),
    # Moodle's ids carry their type in the query.
    ("https://moodle.school.edu/mod/lti/services.php/2/lineitems/5/lineitem/results"
     "?type_id=1&user_id=3",
     "https://moodle.school.edu/mod/lti/services.php/2/lineitems/5/lineitem/results"),
    # Canvas's own API: a user's or a submission's id, and an e-mail address anywhere.
    ("https://canvas.test/api/v1/users/55/profile", "https://canvas.test/api/v1/users/\u2026/profile"),
    ("https://canvas.test/api/v1/courses/7/assignments/3/submissions/55",
     "https://canvas.test/api/v1/courses/7/assignments/3/submissions/\u2026"),
    ("https://x.test/api/people/by-mail/ana%40school.edu", "https://x.test/api/people/\u2026/\u2026"),
    # What needs no hiding stays: token, line items, Names and Roles, Progress, loopback port.
    ("http://127.0.0.1:8765/login/oauth2/token", "http://127.0.0.1:8765/login/oauth2/token"),
    ("https://canvas.test/api/lti/courses/7/names_and_roles?role=Learner&page=2",
     "https://canvas.test/api/lti/courses/7/names_and_roles"),
    ("https://canvas.test/api/lti/courses/7/progress/5501",
     "https://canvas.test/api/lti/courses/7/progress/5501"),
    ("http://[::1]:8080/ltiaas/api/memberships?role=learner",
     "http://[::1]:8080/ltiaas/api/memberships"),
])
def test_the_url_as_logged(url: str, shown: str) -> None:
    assert loggable_url(url) == shown


def test_an_lms_url_inside_an_ltiaas_path_is_cleaned_too() -> None:
    inner = "https://canvas.test/api/lti/courses/7/line_items/31/results/4711?user_id=u-9"
    url = f"https://school.ltiaas.com/api/lineitems/{quote(inner, safe='')}/scores?userId=u-9"
    shown = loggable_url(url)
    assert shown == ("https://school.ltiaas.com/api/lineitems/"
                     + quote("https://canvas.test/api/lti/courses/7/line_items/31/results/",
                             safe="") + "\u2026/scores")
    assert "4711" not in shown and "u-9" not in shown


def test_what_cannot_be_parsed_is_hidden_whole() -> None:
    assert loggable_url("http://host:99999/users/55") == "\u2026"
