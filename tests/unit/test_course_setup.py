"""Set-up from what a teacher has: a course URL gives every service URL; the administrator's
configuration carries the public key and the scopes; each platform's differences live in one
profile."""

from __future__ import annotations

import json

import pytest

from gradedesk.domain.ids import short_id_candidate, unique_short_id
from gradedesk.platforms.errors import InsecureUrl, PlatformConfigError
from gradedesk.platforms.keys import generate_private_key_pem, load_private_key, public_jwk
from gradedesk.platforms.profiles import PROFILES, PlatformKind, detect_kind, profile_of
from gradedesk.platforms.setup import (
    CANVAS_CLOUD_ISSUER,
    canvas_developer_key_config,
    canvas_settings,
    moodle_settings,
    moodle_tool_settings,
)


@pytest.mark.parametrize("typed", [
    "https://school.instructure.com/courses/7",
    "https://school.instructure.com/courses/7/",
    "https://school.instructure.com/courses/7/assignments/31?module_item_id=4#top",
    "  school.instructure.com/courses/7  ",
])
def test_a_canvas_course_url_gives_every_service_url(typed: str) -> None:
    derived = canvas_settings(typed)
    assert derived.platform is PlatformKind.CANVAS
    assert derived.course_id == "7"
    assert derived.course_url == "https://school.instructure.com/courses/7"
    assert derived.token_url == "https://school.instructure.com/login/oauth2/token"
    assert derived.lineitems_url == "https://school.instructure.com/api/lti/courses/7/line_items"
    assert derived.nrps_url == \
        "https://school.instructure.com/api/lti/courses/7/names_and_roles"
    assert derived.issuer == CANVAS_CLOUD_ISSUER


@pytest.mark.parametrize(("host", "issuer"), [
    ("school.instructure.com", "https://canvas.instructure.com"),
    ("school.test.instructure.com", "https://canvas.test.instructure.com"),
    ("school.beta.instructure.com", "https://canvas.beta.instructure.com"),
    ("canvas.school.edu", "https://canvas.instructure.com"),
])
def test_canvas_test_and_beta_instances_have_their_own_issuer(host: str, issuer: str) -> None:
    assert canvas_settings(f"https://{host}/courses/12").issuer == issuer


def test_a_self_hosted_canvas_overrides_the_issuer() -> None:
    derived = canvas_settings("https://lms.school.edu/courses/3",
                              issuer="https://lms.school.edu/")
    assert derived.issuer == "https://lms.school.edu"
    assert derived.lineitems_url == "https://lms.school.edu/api/lti/courses/3/line_items"


def test_the_sandbox_course_url_on_loopback_is_accepted() -> None:
    derived = canvas_settings("http://127.0.0.1:8765/courses/101")
    assert derived.token_url == "http://127.0.0.1:8765/login/oauth2/token"
    assert derived.lineitems_url == "http://127.0.0.1:8765/api/lti/courses/101/line_items"


@pytest.mark.parametrize(("typed", "error", "says"), [
    ("http://school.instructure.com/courses/7", InsecureUrl, "https"),
    ("https://school.instructure.com/calendar", PlatformConfigError, "course address"),
    ("https://school.instructure.com/courses/abc", PlatformConfigError, "course address"),
    ("", PlatformConfigError, "instructure.com/courses/7"),
])
def test_a_wrong_canvas_url_says_what_is_expected(typed: str, error: type[Exception],
                                                   says: str) -> None:
    with pytest.raises(error) as caught:
        canvas_settings(typed)
    assert says in str(caught.value)


def test_a_moodle_course_url_and_type_id_give_every_service_url() -> None:
    derived = moodle_settings("https://moodle.school.edu/lms/course/view.php?id=42&section=2",
                              "5")
    site = "https://moodle.school.edu/lms"
    assert derived.platform is PlatformKind.MOODLE
    assert derived.issuer == site
    assert derived.token_url == f"{site}/mod/lti/token.php"
    assert derived.lineitems_url == f"{site}/mod/lti/services.php/42/lineitems?type_id=5"
    assert derived.nrps_url == \
        f"{site}/mod/lti/services.php/CourseSection/42/bindings/5/memberships"


@pytest.mark.parametrize(("url", "type_id", "says"), [
    ("https://moodle.school.edu/course/view.php?id=42", "", "type id"),
    ("https://moodle.school.edu/course/view.php?id=42", "x1", "type id"),
    ("https://moodle.school.edu/course/index.php?id=42", "5", "Moodle course address"),
    ("https://moodle.school.edu/course/view.php", "5", "Moodle course address"),
])
def test_a_wrong_moodle_set_up_says_what_is_missing(url: str, type_id: str, says: str) -> None:
    with pytest.raises(PlatformConfigError) as caught:
        moodle_settings(url, type_id)
    assert says in str(caught.value)


def test_the_canvas_configuration_has_the_key_and_every_scope_and_no_placement() -> None:
    jwk = public_jwk(load_private_key(generate_private_key_pem()))
    config = json.loads(json.dumps(canvas_developer_key_config(jwk)))
    for field in ("title", "description", "target_link_uri", "oidc_initiation_url"):
        assert isinstance(config[field], str) and config[field]
    assert config["public_jwk"] == jwk
    assert set(config["scopes"]) == {
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
        "https://canvas.instructure.com/lti-ags/progress/scope/show"}
    assert config["extensions"][0]["settings"]["placements"] == []


def test_the_moodle_settings_carry_the_pem_and_the_services() -> None:
    settings = moodle_tool_settings("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
    assert settings["Public key type"] == "RSA key"
    assert settings["Public key"].startswith("-----BEGIN PUBLIC KEY-----")
    assert "column management" in settings["IMS LTI Assignment and Grade Services"]


@pytest.mark.parametrize(("url", "kind"), [
    ("https://c.edu/api/lti/courses/7/line_items", PlatformKind.CANVAS),
    ("https://m.edu/mod/lti/services.php/2/lineitems?type_id=1", PlatformKind.MOODLE),
    ("http://127.0.0.1:9/ags/101/lineitems?type_id=1", PlatformKind.GENERIC),
])
def test_the_platform_is_recognised_by_its_line_items_url(url: str, kind: PlatformKind) -> None:
    assert detect_kind(url) is kind
    assert profile_of({"lineitems_url": url}) is PROFILES[kind]
    assert profile_of({"lineitems_url": url, "platform": "generic"}).kind is \
        PlatformKind.GENERIC


def test_each_difference_is_recorded_in_the_profiles() -> None:
    canvas, moodle, generic = (PROFILES[k] for k in PlatformKind)
    assert canvas.canvas_extensions and not moodle.canvas_extensions
    assert not generic.canvas_extensions
    assert moodle.score_needs_fully_graded and not canvas.score_needs_fully_graded
    assert canvas.column_is_assignment and canvas.deleting_made_columns_refused


@pytest.mark.parametrize(("url", "short"), [
    ("https://c.edu/api/lti/courses/7/line_items/31", "31"),
    ("https://m.edu/mod/lti/services.php/2/lineitems/3/lineitem?type_id=1", "3"),
    ("http://127.0.0.1:9/ags/101/lineitems/44/lineitem?type_id=1", "44"),
    ("https://x.edu/lineitems/abc", "abc"),
])
def test_a_short_id_is_the_segment_that_names_the_item(url: str, short: str) -> None:
    assert short_id_candidate(url) == short


def test_a_taken_short_id_gets_a_number() -> None:
    assert unique_short_id("3", set()) == "3"
    assert unique_short_id("3", {"3"}) == "3-2"
    assert unique_short_id("3", {"3", "3-2"}) == "3-3"
