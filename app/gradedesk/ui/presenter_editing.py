"""Editing: a grader's changes go on the undo stack and into the store (store lane), drafts
are discarded and restored, comments are kept in the comment bank."""

from __future__ import annotations

from collections.abc import Sequence

from gradedesk.sync.grading import profile_for
from gradedesk.ui import edits, loaders
from gradedesk.ui.edits import Replay
from gradedesk.ui.platform_notes import fully_graded_warning
from gradedesk.ui.presenter_core import PresenterCore
from gradedesk.ui.rows import CellKey
from gradedesk.ui.undo import DiscardCommand, EditCellsCommand, describe
from gradedesk.ui.undo_values import CellChange


class EditingPart(PresenterCore):
    def apply_changes(self, changes: Sequence[CellChange], text: str) -> None:
        """Record a grader's edit on the undo stack; pushing it saves it (store lane)."""
        if not changes or self.connection is None:
            return
        warning = fully_graded_warning(profile_for(self.connection), changes,
                                       self.score_of)
        if warning is not None:
            self.warning_posted.emit(warning)  # before the edit is queued
        self.undo_stack.push(EditCellsCommand(describe(changes, text), changes,
                                              self._save_changes))

    def _save_changes(self, command: EditCellsCommand, changes: Sequence[CellChange],
                      replay: Replay) -> None:
        connection = self.connection
        if connection is None:
            return
        db = self.context.db
        sent = command.sent

        def done(outcome: edits.SaveOutcome) -> None:
            if replay is Replay.UNDO:
                command.note_sent(outcome.sent)  # a plain attribute: safe once the stack let go
            if self.connection is None or self.connection.id != connection.id:
                return
            self.rows_refreshed.emit(outcome.rows)
            for key, reason in outcome.errors.items():
                self.edit_refused.emit(key, reason)
            self.counts = outcome.counts
            self.counts_changed.emit(outcome.counts)
            if outcome.notes:
                more = len(outcome.notes) - 1
                self.message_posted.emit(outcome.notes[0] if not more else
                                         f"{outcome.notes[0]}; and {more} more cell"
                                         f"{'s' if more != 1 else ''} alike")
            self.edits_saved.emit(outcome)

        self._store("Saving", lambda: edits.apply_changes(db, connection, changes,
                                                          replay=replay, sent=sent), done)

    def discard(self, keys: Sequence[CellKey]) -> None:
        """Drop the local drafts of these cells; one undo step brings them back."""
        connection = self.connection
        if connection is None or not keys:
            return
        db = self.context.db
        wanted = list(dict.fromkeys(keys))

        def done(outcome: edits.DiscardOutcome) -> None:
            if self.connection is None or self.connection.id != connection.id:
                return
            self._show_discard(outcome)
            count = len(outcome.removed)
            if count:
                self.undo_stack.push(DiscardCommand(outcome.removed, self._replay_discard))
                self.message_posted.emit(
                    f"Discarded {count} local change{'s' if count != 1 else ''}; nothing was "
                    f"sent. Undo (Ctrl+Z) brings {'it' if count == 1 else 'them'} back.")
            elif not outcome.errors:
                self.message_posted.emit("Nothing to discard: no local change in the "
                                         "selected cells.")
            self.drafts_discarded.emit(outcome)

        self._store("Discarding", lambda: edits.discard_drafts(db, connection, wanted), done)

    def _replay_discard(self, command: DiscardCommand, undo: bool) -> None:
        connection = self.connection
        if connection is None:
            return
        db = self.context.db
        removed = dict(command.removed)

        def work() -> edits.DiscardOutcome:
            if undo:
                return edits.restore_drafts(db, connection, removed)
            return edits.discard_drafts(db, connection, list(removed))

        def done(outcome: edits.DiscardOutcome) -> None:
            if not undo:
                command.removed = dict(outcome.removed)  # the restored drafts, dropped again
            if self.connection is None or self.connection.id != connection.id:
                return
            self._show_discard(outcome)
            count = len(outcome.removed)
            self.message_posted.emit(
                f"Undo: {count} local change{'s' if count != 1 else ''} back, queued again."
                if undo else f"Redo: discarded {count} local change{'s' if count != 1 else ''}.")
            self.drafts_discarded.emit(outcome)

        self._store("Restoring" if undo else "Discarding", work, done)

    def _show_discard(self, outcome: edits.DiscardOutcome) -> None:
        self.rows_refreshed.emit(outcome.rows)
        for key, reason in outcome.errors.items():
            self.edit_refused.emit(key, reason)
        self.counts = outcome.counts
        self.counts_changed.emit(outcome.counts)

    def load_comment_bank(self, line_item_url: str) -> None:
        connection = self.connection
        if connection is None:
            return
        db = self.context.db
        self._store("Loading comments",
                    lambda: loaders.load_comment_bank(db, connection.id, line_item_url),
                    lambda texts: self.comment_bank_loaded.emit(line_item_url, texts))

    def bank_comment(self, line_item_url: str, text: str) -> None:
        connection = self.connection
        if connection is None or not text.strip():
            return
        db = self.context.db
        self._store("Keeping comment",
                    lambda: loaders.bank_comment(db, connection.id, line_item_url, text),
                    lambda texts: self.comment_bank_loaded.emit(line_item_url, texts))
