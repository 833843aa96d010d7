"""Finding what a grader names: a line item by id, URL or label, a student by user id, email
or name. The read model's lookups, in a module of their own so that ``gradedesk grade``
loads only these; ``read_model`` re-exports them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from gradedesk.domain import InputError
from gradedesk.store import ConnectionRow, Database, snapshots
from gradedesk.store.rows import LineItemRow, MemberRow

if TYPE_CHECKING:
    from gradedesk.domain.names import PersonNames


def find_line_item(db: Database, connection: ConnectionRow, wanted: str) -> LineItemRow:
    """A line item by URL, short id or label (case-insensitive); InputError listing choices."""
    items = snapshots.list_line_items(db, connection.id)
    text = wanted.strip()
    keys: tuple[Callable[[LineItemRow], str], ...] = (
        lambda i: i.url, lambda i: i.short_id, lambda i: i.label.casefold())
    for key in keys:
        found = [item for item in items if key(item) in (text, text.casefold())]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InputError(f"{wanted!r} names {len(found)} line items; use its id.")
    if not items:
        raise InputError(f"{connection.name!r} has no line items yet; run "
                         f"`gradedesk pull {connection.name}` first.")
    choices = ", ".join(f"{i.short_id} ({i.label})" for i in items[:12])
    raise InputError(f"No line item {wanted!r} in {connection.name!r}. Known: {choices}")


def names_of(member: MemberRow) -> PersonNames:
    """A roster entry as the names a grader may use for it."""
    from gradedesk.domain.names import PersonNames

    return PersonNames(user_id=member.user_id, name=member.name, given_name=member.given_name,
                       family_name=member.family_name, sort_name=member.sort_name,
                       email=member.email)


def find_member(db: Database, connection: ConnectionRow, wanted: str) -> MemberRow:
    """A student by user id, email, name ("Last, First" or "First Last", any case, accents
    optional) or a surname only one student has; InputError listing the candidates when the
    name is ambiguous, or saying nobody matches."""
    text = wanted.strip()
    if text:  # a user id names one member (find_person's first rule): read that row alone
        member = snapshots.get_member(db, connection.id, text)
        if member is not None:
            return member
    # Names, emails and surnames: the whole roster, by the rule the window's filter uses too.
    from gradedesk.domain.names import Ambiguous, find_person

    members = snapshots.list_members(db, connection.id)
    try:
        found = find_person(wanted, members, names_of)
    except Ambiguous as ambiguous:
        candidates = cast(tuple[MemberRow, ...], ambiguous.candidates)
        listed = "; ".join(f"{m.sort_name} ({m.user_id})" for m in candidates[:10])
        raise InputError(f"{wanted!r} names {len(ambiguous.candidates)} people: {listed}. "
                         "Use the full name, the email or the user id.") from None
    if found is None:
        raise InputError(f"No one called {wanted!r} in {connection.name!r} (use a user id from "
                         f"`gradedesk show {connection.name} --line-item ID`).")
    return found
