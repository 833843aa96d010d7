"""Columns (line items) from GradeDesk: add (offline too), change and remove.

A new column is recorded locally first and created on the platform right away when it can be,
else by the next push (see ``SyncEngine.create_columns``: exactly once, found again by its
resourceId after a crash). Changing or removing a column that is already on the platform
needs the platform now: there is nothing sensible to queue for a column a colleague may be
grading in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from gradedesk.domain import InputError, LineItem, format_score
from gradedesk.platforms import AuthError, GradebookPlatform
from gradedesk.platforms.profiles import PlatformProfile
from gradedesk.store import ConnectionRow, Database, LineItemRow, audit, columns, snapshots

if TYPE_CHECKING:  # passed in by the caller; the window's column forms need no engine
    from gradedesk.sync.engine import SyncEngine


@dataclass(frozen=True, slots=True)
class ColumnChanges:
    """What a grader changes in a column; None keeps the current value."""

    label: str | None = None
    points: float | None = None
    tag: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def applied_to(self, item: LineItem) -> LineItem:
        if self.points is not None and self.points < 0:
            raise InputError("Points must be 0 or more.")
        return replace(
            item,
            label=item.label if self.label is None else self.label.strip(),
            score_maximum=item.score_maximum if self.points is None else float(self.points),
            tag=item.tag if self.tag is None else (self.tag.strip() or None),
            start_date_time=item.start_date_time if self.start is None else self.start,
            end_date_time=item.end_date_time if self.end is None else self.end)


@dataclass(frozen=True, slots=True)
class NewColumn:
    row: LineItemRow
    on_platform: bool  # False: saved offline, the next push creates it
    offline_reason: str | None = None


def new_line_item(changes: ColumnChanges) -> LineItem:
    """A column's values from what a grader gave (label and points are required)."""
    if not changes.label or not changes.label.strip():
        raise InputError("A column needs a label (--label).")
    if changes.points is None:
        raise InputError("A column needs its points possible (--points).")
    return changes.applied_to(LineItem(label=changes.label.strip(), score_maximum=0.0))


def add_column(db: Database, connection: ConnectionRow, changes: ColumnChanges, *,
               engine: SyncEngine | None) -> NewColumn:
    """Record a new column and, with an engine, create it on the platform now. Offline (or
    when the platform cannot be reached) it stays local until the next push. A refusal by
    the platform removes it again and raises: it would be refused at every push."""
    row = columns.add_local_column(db, connection.id, new_line_item(changes))
    if engine is None:
        return NewColumn(row, on_platform=False)
    report = engine.create_columns()
    if report.columns_created:
        created = snapshots.get_line_item(db, connection.id, report.columns_created[-1])
        assert created is not None
        return NewColumn(created, on_platform=True)
    failure = next((f for f in report.columns_failed if f.url == row.url), None)
    if failure is None or failure.unreachable:
        current = snapshots.get_line_item(db, connection.id, row.url) or row
        return NewColumn(current, on_platform=False,
                         offline_reason=failure.message if failure else None)
    columns.forget_column(db, connection.id, row.url)
    raise InputError(f"The platform did not create the column: {failure.message}")


def edit_column(db: Database, connection: ConnectionRow, row: LineItemRow,
                changes: ColumnChanges, *, platform: GradebookPlatform | None,
                grader: str | None = None) -> LineItemRow:
    """Change a column: locally while it is not on the platform yet, else on the platform."""
    if row.pending_create:
        return columns.update_local_column(db, connection.id, row.url,
                                           changes.applied_to(columns.line_item_of(row)))
    if platform is None:
        raise InputError("Changing a column on the platform needs a connection to it.")
    updated = platform.update_line_item(changes.applied_to(columns.line_item_of(row)))
    snapshots.upsert_line_items(db, connection.id, [updated], complete=False)
    with db.transaction() as conn:
        audit.append(conn, connection_name=connection.name, action="lineitem.update",
                     summary=f"column {updated.label!r} changed (out of "
                             f"{format_score(updated.score_maximum)})", grader=grader,
                     line_item_url=updated.id)
    found = snapshots.get_line_item(db, connection.id, updated.id)
    assert found is not None
    return found


def removal_warning(db: Database, row: LineItemRow, profile: PlatformProfile | None) -> str:
    """What removing this column will do, in plain words, before the grader confirms."""
    count = columns.drafts_in(db, row.id)
    drafts = f" Its {count} local draft(s) go with it." if count else ""
    if row.pending_create:
        return f"{row.label!r} exists only on this computer; it is removed here.{drafts}"
    if profile is not None and profile.column_is_assignment:
        return (f"On {profile.title}, deleting {row.label!r} deletes its whole assignment, with "
                f"every grade and submission in it (Canvas refuses if Canvas made it).{drafts}")
    return f"The platform deletes {row.label!r} and every grade in it.{drafts}"


def remove_column(db: Database, connection: ConnectionRow, row: LineItemRow, *,
                  platform: GradebookPlatform | None, profile: PlatformProfile | None,
                  grader: str | None = None) -> int:
    """Remove a column (from the platform too, unless it never got there); returns the
    number of local drafts that went with it."""
    if not row.pending_create:
        if platform is None:
            raise InputError("Removing a column from the platform needs a connection to it.")
        try:
            platform.delete_line_item(row.url)
        except AuthError as exc:
            # Canvas answers a bare 401 (no body) for a column its own assignment made.
            bare = exc.platform_message in (None, "", "Unauthorized")
            if profile is not None and profile.deleting_made_columns_refused and bare:
                raise InputError(
                    f"{profile.title} refuses to delete {row.label!r}: the column belongs to "
                    f"an assignment {profile.title} made. Delete the assignment in "
                    f"{profile.title} instead.") from exc
            raise
        with db.transaction() as conn:
            audit.append(conn, connection_name=connection.name, action="lineitem.delete",
                         summary=f"column {row.label!r} deleted", grader=grader,
                         line_item_url=row.url)
    return columns.forget_column(db, connection.id, row.url)
