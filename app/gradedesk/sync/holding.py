"""Holding a column's grades until they are all in, and releasing them: what the CLI's
``hold`` and ``release`` and the window's Column menu both call, in the same words.

A held column's grades are saved and queued as usual; no push claims or sends them (see
``SyncEngine._claim``). Releasing only lifts the hold: the push that follows sends them.
No network here.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradedesk.store import ConnectionRow, Database, OutboxState, holds, outbox
from gradedesk.store.rows import LineItemRow
from gradedesk.sync.grading import profile_for

# How a held column is described beside its badge (the tree's and the gradebook's tooltips).
HELD_NOTE = "Grades held: saved and queued here, not sent until you release them."


@dataclass(frozen=True, slots=True)
class HoldChange:
    """A column after ``hold_column`` or ``release_column``."""

    line_item: LineItemRow
    held: bool  # whether it is held now
    changed: bool  # False: it already was (held, or not held)
    queued: int  # its grades waiting in the outbox

    def describe(self) -> str:
        """One sentence for the status bar or the terminal."""
        label = self.line_item.label
        grades = f"{self.queued} grade{'s' if self.queued != 1 else ''}"
        if self.held:
            lead = f"Holding “{label}”" if self.changed else f"“{label}” was already held"
            return (f"{lead}: its grades are saved and queued but not sent until you release "
                    f"it ({grades} queued).")
        lead = f"Released “{label}”" if self.changed else f"“{label}” was not held"
        return f"{lead}: the next push sends its {grades}."


def hold_column(db: Database, connection: ConnectionRow, line_item: LineItemRow) -> HoldChange:
    """Hold a column's grades. A push already running stops claiming them at its next claim
    at the latest; a grade it claimed before that is on its way and finishes."""
    changed = holds.hold(db, connection.id, line_item.url)
    return HoldChange(line_item, True, changed, _queued(db, connection, line_item))


def release_column(db: Database, connection: ConnectionRow,
                   line_item: LineItemRow) -> HoldChange:
    """Lift a column's hold; the next push sends its queued grades."""
    changed = holds.release(db, connection.id, line_item.url)
    return HoldChange(line_item, False, changed, _queued(db, connection, line_item))


def release_warning(connection: ConnectionRow) -> str | None:
    """What releasing means for students on this platform, or None when nothing is known
    to show at once (the platform decides when students see a grade)."""
    profile = profile_for(connection)
    if profile is None or not profile.scores_may_show_at_once:
        return None
    return (f"When the assignment posts grades automatically ({profile.title}'s default), "
            f"students see these scores at once: {profile.title} shows each score as soon as "
            "it arrives. To choose when students see them, set the assignment to post grades "
            f"manually in {profile.title} first.")


def _queued(db: Database, connection: ConnectionRow, line_item: LineItemRow) -> int:
    return len(outbox.entries(db, connection.id, (OutboxState.QUEUED,),
                              line_item_url=line_item.url))
