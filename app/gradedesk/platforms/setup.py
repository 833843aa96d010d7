"""Setting a course up from what a teacher has: its URL and, from the admin, a client id.

Canvas and Moodle serve AGS and Names and Roles at fixed routes, so a course URL gives every
service URL. The other half is what the platform's administrator pastes: for Canvas the
developer key's LTI 1.3 JSON configuration, for Moodle the external tool's settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gradedesk.platforms.errors import PlatformConfigError
from gradedesk.platforms.http import require_secure_url
from gradedesk.platforms.lti_advantage import progress
from gradedesk.platforms.lti_advantage.client import ALL_SCOPES
from gradedesk.platforms.profiles import PlatformKind

CANVAS_CLOUD_ISSUER = "https://canvas.instructure.com"
# Canvas's test and beta environments have issuers of their own.
_CANVAS_ENVIRONMENTS = {"test": "https://canvas.test.instructure.com",
                        "beta": "https://canvas.beta.instructure.com"}
_CANVAS_COURSE = re.compile(r"^(?P<prefix>.*?)/courses/(?P<id>\d+(?:~\d+)?)(?:/.*)?$")
_MOODLE_COURSE = re.compile(r"^(?P<prefix>.*?)/course/view\.php$")
# "https:/school.edu" or "https//school.edu": a scheme typed wrong, not a host named "https".
_MISTYPED_SCHEME = re.compile(r"^https?[:/]", re.IGNORECASE)

# GradeDesk is never launched (it calls the services with client credentials only), but
# Canvas and Moodle require launch URLs in a tool's configuration. ".invalid" is reserved
# (RFC 2606): these can never reach anyone by accident.
NO_LAUNCH_TARGET = "https://gradedesk.invalid/lti/launch"
NO_LAUNCH_LOGIN = "https://gradedesk.invalid/lti/login"

TOOL_TITLE = "GradeDesk"
TOOL_DESCRIPTION = ("Desktop gradebook: grade offline and sync scores and comments through "
                    "Assignment and Grade Services.")

# What GradeDesk asks a developer key for: AGS line items (read and write), results, scores,
# Names and Roles, and Canvas's Progress (file attachments): every scope the client uses.
CANVAS_SCOPES = ALL_SCOPES


@dataclass(frozen=True, slots=True)
class DerivedSettings:
    """Every URL of a connection, derived from a course URL."""

    platform: PlatformKind
    course_url: str
    course_id: str
    issuer: str
    token_url: str
    lineitems_url: str
    nrps_url: str

    def as_settings(self) -> dict[str, str]:
        return {"platform": self.platform.value, "course_url": self.course_url,
                "issuer": self.issuer, "token_url": self.token_url,
                "lineitems_url": self.lineitems_url, "nrps_url": self.nrps_url}


def _split(course_url: str, example: str) -> tuple[str, str, str]:
    """(origin, path, query) of a course URL typed by a person (spaces and a missing scheme
    forgiven); https unless it is this machine's loopback."""
    text = course_url.strip()
    if text and "://" not in text:
        if _MISTYPED_SCHEME.match(text):
            raise PlatformConfigError(f"{text[:200]!r} does not start with https:// as a web "
                                      f"address does. Expected something like {example}.")
        text = "https://" + text
    try:
        parsed = require_secure_url(text, "course URL")
    except PlatformConfigError as exc:
        raise type(exc)(f"{exc.user_message} Expected something like {example}.") from None
    parts = urlsplit(str(parsed))
    # The origin without any "user:password@": it would go into every stored service URL.
    host_and_port = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host_and_port}", parts.path, parts.query


def canvas_issuer_for(host: str) -> str:
    """Canvas's issuer for a school host: the cloud one, or test/beta for those instances."""
    labels = host.lower().split(".")
    if len(labels) >= 4 and labels[-2:] == ["instructure", "com"] and \
            labels[-3] in _CANVAS_ENVIRONMENTS:
        return _CANVAS_ENVIRONMENTS[labels[-3]]
    return CANVAS_CLOUD_ISSUER


def canvas_settings(course_url: str, *, issuer: str | None = None) -> DerivedSettings:
    """From ``https://school.instructure.com/courses/7`` (any page of the course)."""
    example = "https://school.instructure.com/courses/7"
    origin, path, _ = _split(course_url, example)
    match = _CANVAS_COURSE.match(path)
    if match is None:
        raise PlatformConfigError(
            f"{course_url.strip()!r} is not a Canvas course address: open the course in your "
            f"browser and copy its address, like {example}.")
    base = origin + match["prefix"]
    course_id = match["id"]
    if issuer:
        require_secure_url(issuer, "issuer")
    host = urlsplit(origin).hostname or ""
    return DerivedSettings(
        platform=PlatformKind.CANVAS, course_url=f"{base}/courses/{course_id}",
        course_id=course_id, issuer=(issuer or canvas_issuer_for(host)).rstrip("/"),
        token_url=f"{base}/login/oauth2/token",
        lineitems_url=f"{base}/api/lti/courses/{course_id}/line_items",
        nrps_url=f"{base}/api/lti/courses/{course_id}/names_and_roles")


def moodle_settings(course_url: str, type_id: str) -> DerivedSettings:
    """From ``https://moodle.school.edu/course/view.php?id=42`` and the tool's type id (the
    ``id=`` of the external tool's settings page)."""
    example = "https://moodle.school.edu/course/view.php?id=42"
    origin, path, query = _split(course_url, example)
    match = _MOODLE_COURSE.match(path)
    ids = parse_qs(query).get("id", [])
    # ASCII digits only: str.isdigit() also takes "²" and "٤٢", which no Moodle id is.
    if match is None or len(ids) != 1 or not (ids[0].isascii() and ids[0].isdigit()):
        raise PlatformConfigError(
            f"{course_url.strip()!r} is not a Moodle course address: open the course in your "
            f"browser and copy its address, like {example}.")
    tool_type = (type_id or "").strip()
    if not (tool_type.isascii() and tool_type.isdigit()):
        raise PlatformConfigError(
            "Moodle needs the tool's type id (--type-id): a number, the id= in the address of "
            "the external tool's settings page.")
    site = origin + match["prefix"]
    course_id = ids[0]
    services = f"{site}/mod/lti/services.php"
    return DerivedSettings(
        platform=PlatformKind.MOODLE, course_url=f"{site}/course/view.php?id={course_id}",
        course_id=course_id, issuer=site, token_url=f"{site}/mod/lti/token.php",
        lineitems_url=f"{services}/{course_id}/lineitems?type_id={tool_type}",
        nrps_url=f"{services}/CourseSection/{course_id}/bindings/{tool_type}/memberships")


# --- what the administrator pastes --------------------------------------------------------------


def _tool_identity(title: str, public_jwk: dict[str, str]) -> dict[str, Any]:
    """Who the tool is in any platform's registration: name, (never used) launch URLs, key."""
    return {"title": title, "description": TOOL_DESCRIPTION,
            "target_link_uri": NO_LAUNCH_TARGET, "oidc_initiation_url": NO_LAUNCH_LOGIN,
            "public_jwk": dict(public_jwk)}


def canvas_developer_key_config(public_jwk: dict[str, str], *, title: str = TOOL_TITLE
                                ) -> dict[str, Any]:
    """Canvas's LTI 1.3 JSON configuration for Admin > Developer Keys > + LTI Key > Paste JSON.

    AGS needs no placement, so the tool never appears in a course's menus; privacy "public"
    lets Names and Roles send names and emails (GradeDesk shows names and matches emails).
    """
    return {
        **_tool_identity(title, public_jwk),
        "scopes": list(CANVAS_SCOPES),
        "extensions": [{
            "platform": "canvas.instructure.com",
            "privacy_level": "public",
            "settings": {"placements": []},
        }],
        "custom_fields": {},
    }


def generic_tool_registration(public_jwk: dict[str, str], public_key_pem: str, *,
                              title: str = TOOL_TITLE) -> dict[str, Any]:
    """What any LTI 1.3 platform's tool registration asks for: name, the (never used) launch
    URLs, the public key as a JWK and as PEM, and the AGS and Names and Roles scopes."""
    return {
        **_tool_identity(title, public_jwk),
        "jwks": {"keys": [dict(public_jwk)]},
        "public_key_pem": public_key_pem.strip(),
        "scopes": [scope for scope in CANVAS_SCOPES if scope != progress.SCOPE_PROGRESS],
    }


def moodle_tool_settings(public_key_pem: str, *, title: str = TOOL_TITLE) -> dict[str, str]:
    """The fields of Moodle's Site administration > Plugins > External tool > Manage tools >
    configure a tool manually, in the form's own words."""
    return {
        "Tool name": title,
        "Tool URL": NO_LAUNCH_TARGET,
        "LTI version": "LTI 1.3",
        "Public key type": "RSA key",
        "Public key": public_key_pem.strip(),
        "Initiate login URL": NO_LAUNCH_LOGIN,
        "Redirection URI(s)": NO_LAUNCH_TARGET,
        "IMS LTI Assignment and Grade Services":
            "Use this service for grade sync and column management",
        "IMS LTI Names and Role Provisioning":
            "Use this service to retrieve members' information as per privacy settings",
        "Tool configuration usage": "Show as preconfigured tool when adding an external tool",
    }
