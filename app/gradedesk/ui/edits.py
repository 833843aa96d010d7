"""Saving a grader's cell changes as drafts, undoing and redoing them, and discarding drafts.

Undo after a push retracts nothing: a change that already went out is undone by a *new* edit
that restores the earlier value, and only when the platform does not hold that value already
(an identical score or comment is never sent again). A posted comment and an attached file
cannot be taken back; the outcome says so.

Threading contract: everything here runs on the store lane, never on the GUI thread, and
never touches Qt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from gradedesk.domain import (
    ActivityProgress,
    ContentItem,
    GradingProgress,
    InputError,
    format_score,
    utc_now,
)
from gradedesk.store import (
    ConnectionRow,
    Database,
    DraftRow,
    OutboxState,
    ServerResultRow,
    drafts,
    outbox,
    snapshots,
)
from gradedesk.sync.grading import save_grade
from gradedesk.ui.loaders import load_counts, reload_cells
from gradedesk.ui.rows import CellKey, StatusCounts, StudentGrade
from gradedesk.ui.undo_values import CellChange, Field


class Replay(StrEnum):
    """Why changes are applied: the grader's edit itself, or an undo or redo of it."""

    EDIT = "edit"
    UNDO = "undo"
    REDO = "redo"


@dataclass(slots=True)
class SaveOutcome:
    """What saving a batch of cell changes did: fresh rows, per-cell refusals, new counts, and
    for an undo or redo what it did where the edit had already gone out."""

    rows: dict[CellKey, StudentGrade] = field(default_factory=dict)
    errors: dict[CellKey, str] = field(default_factory=dict)
    counts: StatusCounts = field(default_factory=StatusCounts)
    notes: list[str] = field(default_factory=list)  # for the status bar
    sent: set[CellKey] = field(default_factory=set)  # cells whose edit had gone out at undo


def apply_changes(db: Database, connection: ConnectionRow, changes: Sequence[CellChange], *,
                  replay: Replay = Replay.EDIT, sent: Collection[CellKey] = ()) -> SaveOutcome:
    """Save a batch of cell changes as drafts (``replay``: undo or redo them), then reload
    those cells. ``sent``: the cells an earlier undo of these changes found already sent."""
    outcome = SaveOutcome()
    by_cell: dict[CellKey, list[CellChange]] = defaultdict(list)
    for change in changes:
        by_cell[change.key].append(change)
    for key, cell_changes in by_cell.items():
        try:
            if replay is Replay.EDIT:
                save_grade(db, connection, key[0], key[1], _draft_edit(cell_changes, undo=False))
            else:
                note = _replay(db, connection, key, cell_changes, undo=replay is Replay.UNDO,
                               sent=key in sent, outcome=outcome)
                if note:
                    outcome.notes.append(note)
        except InputError as error:
            outcome.errors[key] = error.user_message
    outcome.rows = reload_cells(db, connection.id, by_cell)
    outcome.counts = load_counts(db, connection.id)
    return outcome


def _replay(db: Database, connection: ConnectionRow, key: CellKey,
            changes: Sequence[CellChange], *, undo: bool, sent: bool,
            outcome: SaveOutcome) -> str | None:
    """Undo or redo one cell's changes; returns what to tell the grader, if anything."""
    url, user_id = key
    draft = drafts.get_draft(db, connection.id, url, user_id)
    flying = draft is not None and _in_flight(db, connection.id, draft)
    if draft is not None and not flying:
        # Nothing of this draft has gone out: change it in place.
        if undo and not any(c.had_draft for c in changes) and _made_by(draft, changes):
            drafts.discard_draft(db, connection.id, url, user_id)  # the edit made it
            return None
        edit = _draft_edit(changes, undo=undo)
        if not undo and sent:
            edit = _without_what_went_out(edit, snapshots.get_result(db, connection.id, url,
                                                                     user_id))
        save_grade(db, connection, url, user_id, edit)
        _drop_if_as_platform(db, connection, key)
        return None
    if not undo and not sent:
        # The undo dropped the draft before anything went out: make it again.
        save_grade(db, connection, url, user_id, _draft_edit(changes, undo=False))
        _drop_if_as_platform(db, connection, key)
        return None
    if undo:
        outcome.sent.add(key)
    return _restore(db, connection, key, changes, undo=undo, flying=draft if flying else None)


def _restore(db: Database, connection: ConnectionRow, key: CellKey,
             changes: Sequence[CellChange], *, undo: bool, flying: DraftRow | None) -> str:
    """An edit that went out (or is going out) is undone or redone by a new edit, holding only
    what differs from what the platform holds (or will hold, once ``flying`` lands)."""
    url, user_id = key
    verb = "Undo" if undo else "Redo"
    server = snapshots.get_result(db, connection.id, url, user_id)
    held_progress: tuple[object, ...]
    if flying is not None:
        held_score, held_comment = flying.score_given, flying.comment
        held_progress = (flying.activity_progress, flying.grading_progress)
    else:
        held_score = server.score if server is not None else None
        held_comment = server.comment if server is not None else None
        held_progress = _platform_progress(server)
    wanted: dict[Field, object] = {}
    for change in reversed(changes) if undo else changes:
        if undo and not change.had_draft and change.field in (Field.ACTIVITY, Field.GRADING):
            continue  # there was no draft value to go back to
        wanted[change.field] = _typed(change.field, change.before if undo else change.after)
    values: dict[str, object] = {}
    notes: list[str] = []
    if Field.SCORE in wanted and wanted[Field.SCORE] != held_score:
        values["score_given"] = wanted[Field.SCORE]
    if Field.COMMENT in wanted:
        comment = wanted[Field.COMMENT]
        if comment is not None and comment != held_comment:
            values["comment"] = comment
        elif undo and any(c.field is Field.COMMENT and c.after for c in changes):
            notes.append("the comment already sent stays on the platform")
    if Field.ADD_FILE in wanted or Field.ATTACHMENTS in wanted:
        notes.append("an attached file cannot be un-attached" if undo
                     else "the file is attached already")
    progress = {f: wanted[f] for f in (Field.ACTIVITY, Field.GRADING) if f in wanted}
    if values or any(value not in held_progress for value in progress.values()):
        values.update({f.value: value for f, value in progress.items()})
    held = format_score(held_score) or "no score"
    if not values:
        what = "already as before" if undo else "already done"
        notes.insert(0, f"{what} (the platform has {held})")
    else:
        save_grade(db, connection, url, user_id, drafts.DraftEdit(**values))  # type: ignore[arg-type]
        if "score_given" in values:
            restored = format_score(values["score_given"]) or "no score"  # type: ignore[arg-type]
        else:
            restored = "the comment" if "comment" in values else "the progress"
        doing = "restoring" if undo else "setting"
        notes.insert(0, f"queued a new edit {doing} {restored} (the platform has {held})")
    return f"{verb}: " + "; ".join(notes)


def _made_by(draft: DraftRow, changes: Sequence[CellChange]) -> bool:
    """Whether the draft holds nothing but these changes: it was based on the score they
    started from (a draft made later, after they went out, was based on their result)."""
    return all(c.before == draft.base.score for c in changes if c.field is Field.SCORE)


def _in_flight(db: Database, connection_id: int, draft: DraftRow) -> bool:
    flying = outbox.entries(db, connection_id, (OutboxState.SENDING, OutboxState.SENT),
                            line_item_url=draft.line_item_url)
    return any(entry.draft_id == draft.id for entry in flying)


def _platform_progress(server: ServerResultRow | None) -> tuple[object, ...]:
    """The progress values the platform's copy stands for (AGS results carry none)."""
    if server is None:
        return ()
    if server.score is None:
        return (GradingProgress.PENDING_MANUAL, GradingProgress.PENDING)
    return (ActivityProgress.COMPLETED, GradingProgress.FULLY_GRADED)


def _without_what_went_out(edit: drafts.DraftEdit,
                           server: ServerResultRow | None) -> drafts.DraftEdit:
    """A redo onto a draft made by the undo: what the platform got already is not sent
    again (the posted comment, the attached file)."""
    comment = edit.comment
    if comment is not drafts.UNSET and server is not None and comment == server.comment:
        comment = None
    return drafts.DraftEdit(score_given=edit.score_given, comment=comment,
                            activity_progress=edit.activity_progress,
                            grading_progress=edit.grading_progress,
                            attachments=edit.attachments)


def _drop_if_as_platform(db: Database, connection: ConnectionRow, key: CellKey) -> None:
    """After an undo or redo: a draft that now asks for exactly what the platform holds
    would only send the same grade again; drop it."""
    url, user_id = key
    draft = drafts.get_draft(db, connection.id, url, user_id)
    if draft is None or draft.attachments or _in_flight(db, connection.id, draft):
        return
    server = snapshots.get_result(db, connection.id, url, user_id)
    held_score = server.score if server is not None else None
    held_comment = server.comment if server is not None else None
    if draft.score_given != held_score or (draft.comment and draft.comment != held_comment):
        return
    if draft.grading_progress not in _platform_progress(server):
        return  # a progress change of its own
    drafts.discard_draft(db, connection.id, url, user_id)


def _draft_edit(changes: Sequence[CellChange], *, undo: bool) -> drafts.DraftEdit:
    values: dict[str, object] = {}
    for change in (reversed(changes) if undo else changes):
        value = change.before if undo else change.after
        if undo and not change.had_draft and change.field in (Field.ACTIVITY, Field.GRADING):
            continue  # there was no draft value to go back to; save_draft derives one
        values[change.field.value] = _typed(change.field, value)
    if Field.ADD_FILE.value in values:
        item = values.pop(Field.ADD_FILE.value)
        if undo:
            values[Field.ATTACHMENTS.value] = item
        else:
            values["add_attachments"] = (item,) if isinstance(item, ContentItem) else ()
    return drafts.DraftEdit(**values)  # type: ignore[arg-type]


def _typed(field: Field, value: object) -> object:
    """Progress values shown in the grid are plain text; the store wants the enums."""
    if field is Field.GRADING and isinstance(value, str):
        return GradingProgress(value)
    if field is Field.ACTIVITY and isinstance(value, str):
        return ActivityProgress(value)
    return value


# --- discarding a local change ---------------------------------------------------------------


@dataclass(slots=True)
class DiscardOutcome:
    """What discarding drafts did: the drafts dropped (an undo restores them), refusals
    (a draft being sent), fresh rows and counts."""

    removed: dict[CellKey, DraftRow] = field(default_factory=dict)
    errors: dict[CellKey, str] = field(default_factory=dict)
    rows: dict[CellKey, StudentGrade] = field(default_factory=dict)
    counts: StatusCounts = field(default_factory=StatusCounts)


def discard_drafts(db: Database, connection: ConnectionRow,
                   keys: Collection[CellKey]) -> DiscardOutcome:
    """Drop the local drafts of these cells (cells without one are left alone)."""
    outcome = DiscardOutcome()
    for key in keys:
        draft = drafts.get_draft(db, connection.id, *key)
        if draft is None:
            continue
        try:
            if drafts.discard_draft(db, connection.id, *key):
                outcome.removed[key] = draft
        except InputError as error:
            outcome.errors[key] = error.user_message
    outcome.rows = reload_cells(db, connection.id, keys)
    outcome.counts = load_counts(db, connection.id)
    return outcome


def restore_drafts(db: Database, connection: ConnectionRow,
                   removed: dict[CellKey, DraftRow]) -> DiscardOutcome:
    """Undo a discard: each draft comes back with its values and the server copy it was
    based on, so a push still finds a colleague's change since as a conflict."""
    outcome = DiscardOutcome(removed=dict(removed))
    for key, old in removed.items():
        try:
            new = save_grade(db, connection, key[0], key[1], drafts.DraftEdit(
                score_given=old.score_given, comment=old.comment,
                activity_progress=old.activity_progress,
                grading_progress=old.grading_progress, attachments=old.attachments))
        except InputError as error:
            outcome.errors[key] = error.user_message
            continue
        with db.transaction() as conn:
            drafts.rebase_draft(conn, new.id, base=old.base, now=utc_now(), new_revision=False)
    outcome.rows = reload_cells(db, connection.id, removed)
    outcome.counts = load_counts(db, connection.id)
    return outcome
