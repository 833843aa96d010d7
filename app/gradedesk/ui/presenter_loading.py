"""Loading what the window shows: the courses, a connection, a line item, the gradebook and
one cell's details. A newer request overtakes an older one (generations)."""

from __future__ import annotations

from collections.abc import Callable

from gradedesk.store import ConnectionRow
from gradedesk.store import connections as connection_store
from gradedesk.ui import loaders
from gradedesk.ui.presenter_core import PresenterCore
from gradedesk.ui.rows import CellKey, GradebookData, LineItemData


class LoadingPart(PresenterCore):
    # --- navigation -------------------------------------------------------------------------

    def refresh_overview(self) -> None:
        db = self.context.db
        self._store("Loading courses", lambda: loaders.load_overview(db),
                    self.overview_loaded.emit)

    def select_connection(self, name: str | None) -> None:
        """Make a connection current (None: none). Emits connection_changed and new counts."""
        generation = self._next("connection")
        if name is None:
            self.connection = None
            self.line_item_url = None
            self.connection_changed.emit(None)
            return
        db = self.context.db

        def done(row: ConnectionRow | None) -> None:
            if not self._current("connection", generation):
                return
            if row is None:
                self.error_raised.emit("Connection", f"No connection named {name!r}.")
                return
            changed = self.connection is None or self.connection.id != row.id
            self.connection = row
            if changed:
                self.undo_stack.clear()  # its commands name another connection's cells
                self._set_online(self._online_of.get(row.name))
            self.connection_changed.emit(row)
            self.refresh_counts()
            if changed:
                self._connection_opened(row)

        self._store("Opening connection", lambda: connection_store.get_connection(db, name), done)

    def load_line_item(self, line_item_url: str) -> None:
        connection = self.connection
        if connection is None:
            return
        self.line_item_url = line_item_url
        generation = self._next("line_item")
        db = self.context.db

        def done(data: LineItemData) -> None:
            if self._current("line_item", generation):
                self.line_item_loaded.emit(data)

        self._store("Loading line item",
                    lambda: loaders.load_line_item(db, connection.id, line_item_url), done)

    def load_gradebook(self) -> None:
        connection = self.connection
        if connection is None:
            return
        generation = self._next("gradebook")
        db = self.context.db

        def done(data: GradebookData) -> None:
            if self._current("gradebook", generation):
                self.gradebook_loaded.emit(data)

        self._store("Loading gradebook", lambda: loaders.load_gradebook(db, connection.id), done)

    def load_detail(self, key: CellKey | None) -> None:
        generation = self._next("detail")
        connection = self.connection
        if key is None or connection is None:
            self.detail_loaded.emit(None)
            return
        db = self.context.db

        def done(detail: loaders.CellDetail | None) -> None:
            if self._current("detail", generation):
                self.detail_loaded.emit(detail)

        self._store("Loading details", lambda: loaders.load_detail(db, connection, key), done)

    def fetch_detail(self, key: CellKey,
                     done: Callable[[loaders.CellDetail | None], None]) -> None:
        """Load one cell's details for a caller other than the detail panel."""
        connection = self.connection
        if connection is None:
            return
        db = self.context.db
        self._store("Loading details", lambda: loaders.load_detail(db, connection, key), done)


    def _connection_opened(self, row: ConnectionRow) -> None:
        """Another connection became current (the sync part resumes a stopped sandbox)."""
