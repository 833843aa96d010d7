"""What each platform does differently from the AGS spec, recorded in one place.

Everything above the clients asks a connection's :class:`PlatformProfile` instead of testing
which platform it is, so a new platform is one entry here. Facts come from the platforms' own
code (see ../shared/platforms-and-graders.md); anything a platform may or may not do at run
time (refusing an optional query parameter, lacking Names and Roles) is learned per connection
by the client instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit


class PlatformKind(StrEnum):
    CANVAS = "canvas"
    MOODLE = "moodle"
    GENERIC = "generic"  # any platform that follows the AGS spec


@dataclass(frozen=True, slots=True)
class PlatformProfile:
    """One platform's known differences.

    ``canvas_extensions``: Canvas's submission extension on Scores (``new_submission: false``
    for a plain grade, ``preserve_score``, file ``content_items``) and Progress URLs.
    ``score_needs_fully_graded``: the platform drops ``scoreGiven`` unless ``gradingProgress``
    is ``FullyGraded`` (Moodle's scores.php).
    ``course_url_setup``: a teacher's course URL is enough to derive every service URL.
    """

    kind: PlatformKind
    title: str
    canvas_extensions: bool = False
    score_needs_fully_graded: bool = False
    course_url_setup: bool = False
    # Deleting a column the platform made with its own assignment is refused (Canvas: 401).
    deleting_made_columns_refused: bool = False
    # A tool-made column is a whole gradebook assignment: deleting it deletes that.
    column_is_assignment: bool = False
    # Students may see a score the moment it arrives: Canvas shows it at once when the
    # assignment posts grades automatically (its default post policy), and AGS can neither
    # read nor change that policy. Releasing held grades warns of it.
    scores_may_show_at_once: bool = False


PROFILES: Mapping[PlatformKind, PlatformProfile] = {
    PlatformKind.CANVAS: PlatformProfile(
        PlatformKind.CANVAS, "Canvas", canvas_extensions=True, course_url_setup=True,
        deleting_made_columns_refused=True, column_is_assignment=True,
        scores_may_show_at_once=True),
    PlatformKind.MOODLE: PlatformProfile(
        PlatformKind.MOODLE, "Moodle", score_needs_fully_graded=True, course_url_setup=True),
    PlatformKind.GENERIC: PlatformProfile(PlatformKind.GENERIC, "AGS platform"),
}

_CANVAS_LINE_ITEMS = re.compile(r"/api/lti/courses/[^/]+/line_items/?$")
_MOODLE_SERVICES = re.compile(r"/mod/lti/services\.php/")


def detect_kind(lineitems_url: str) -> PlatformKind:
    """The platform a line items URL belongs to, by its shape (Canvas and Moodle have fixed
    routes); anything else is treated as a plain AGS platform."""
    path = urlsplit(lineitems_url).path
    if _CANVAS_LINE_ITEMS.search(path):
        return PlatformKind.CANVAS
    if _MOODLE_SERVICES.search(path):
        return PlatformKind.MOODLE
    return PlatformKind.GENERIC


def profile_of(settings: Mapping[str, Any]) -> PlatformProfile:
    """The profile of a saved LTI connection: its ``platform`` setting, or (connections saved
    before it existed) the shape of its line items URL."""
    named = settings.get("platform")
    if isinstance(named, str):
        try:
            return PROFILES[PlatformKind(named)]
        except ValueError:
            pass
    return PROFILES[detect_kind(str(settings.get("lineitems_url") or ""))]
