"""Names and Role Provisioning Services 2.0: one membership container page to domain values.

No section is read here: the NRPS 2.0 member has no section field, Canvas documents none (its
serializer sends status, names, email, picture, user_id, lti11_legacy_user_id, roles), and
the LTIAAS and Moodle membership references this project follows list none either. Sections
come from an imported gradebook CSV instead (sync.gradebook_io, store.sections). A field a
platform sends anyway is kept, unread, in ``Member.extra``.
"""

from __future__ import annotations

import httpx

from gradedesk.domain import CourseContext, Member
from gradedesk.platforms.parsing import convert, json_of, require_list, require_object

MEMBERSHIP_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
SCOPE_MEMBERSHIP_READONLY = (
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
)


def parse_membership_page(response: httpx.Response, *, members_key: str = "members"
                          ) -> tuple[CourseContext | None, list[Member]]:
    """(context, members) of one page; ``members_key`` is the same for Canvas and LTIAAS."""
    what = "the course members"
    data = require_object(response, json_of(response, what), what)
    raw_context = data.get("context")
    context = None if raw_context is None else convert(
        response, what, CourseContext.from_wire, raw_context)
    raw_members = data.get(members_key)
    members = require_list(response, [] if raw_members is None else raw_members, what)
    return context, [convert(response, what, Member.from_wire, raw) for raw in members]
