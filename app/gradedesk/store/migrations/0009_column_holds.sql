-- GradeDesk schema 9: columns whose grades are held. A held column's grades are saved and
-- queued as usual, but no push claims or sends them until the column is released (a teacher
-- holds a column until every grade is in, then releases them in one push).
--
-- A table of its own, not a column on line_items: a pull rewrites line_items, and a hold is
-- local state that must survive every pull. One row per held column; releasing deletes it.
-- The hold goes with its column (ON DELETE CASCADE) when the column is removed.

CREATE TABLE column_holds (
    line_item_id  INTEGER PRIMARY KEY REFERENCES line_items(id) ON DELETE CASCADE,
    held_at       TEXT NOT NULL
) STRICT;
