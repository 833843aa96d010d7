-- GradeDesk schema 8: who grades whom. A split of the students among graders, per column or
-- for every column of a course (computed alike on every machine by domain.grader_split, or
-- loaded from a shared file), and who "I" am among the graders, per connection. Local state
-- only: a pull never touches these tables.

CREATE TABLE grader_splits (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    line_item_id   INTEGER REFERENCES line_items(id) ON DELETE CASCADE,  -- NULL: every column
    graders_json   TEXT NOT NULL CHECK (json_valid(graders_json)),      -- in the order given
    mode           TEXT NOT NULL CHECK (mode IN ('name', 'section', 'balanced', 'file')),
    seed           INTEGER NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('computed', 'file')),
    made_at        TEXT NOT NULL
) STRICT;

-- One split per column, and one for the whole course (a column's own split overrides it).
CREATE UNIQUE INDEX grader_splits_per_course ON grader_splits (connection_id)
    WHERE line_item_id IS NULL;
CREATE UNIQUE INDEX grader_splits_per_column ON grader_splits (line_item_id)
    WHERE line_item_id IS NOT NULL;

-- Each student of a split has exactly one grader (the primary key). user_id may name someone
-- this computer's roster does not have yet: a shared file can be newer than the last pull.
CREATE TABLE grader_assignments (
    split_id  INTEGER NOT NULL REFERENCES grader_splits(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL,
    grader    TEXT NOT NULL CHECK (length(trim(grader)) > 0),
    position  INTEGER NOT NULL,   -- the order within the grader's list, as computed or loaded
    PRIMARY KEY (split_id, user_id)
) STRICT;

-- "I am Ana" on this connection: the grids and `show --mine` default to Ana's students.
CREATE TABLE grader_identity (
    connection_id  INTEGER PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    grader         TEXT NOT NULL CHECK (length(trim(grader)) > 0),
    set_at         TEXT NOT NULL
) STRICT;
