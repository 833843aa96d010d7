-- GradeDesk schema 7: grades GradeDesk proposes (a rubric's new points, a late rule, "mark
-- missing") and a person has not accepted yet. A proposal is never queued or sent: accepting it
-- turns it into an ordinary draft, rejecting it drops it.

CREATE TABLE proposals (
    id               INTEGER PRIMARY KEY,
    line_item_id     INTEGER NOT NULL REFERENCES line_items(id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL,
    score            REAL CHECK (score IS NULL OR score >= 0),
    comment          TEXT,
    reason           TEXT NOT NULL CHECK (reason IN ('rubric', 'late', 'missing')),
    working          TEXT NOT NULL,       -- how the score was reached, in words
    -- The score the cell showed when this was proposed (a draft's, else the platform's): a
    -- proposal made from another score is stale once the cell moves, and is not accepted.
    based_on_present INTEGER NOT NULL CHECK (based_on_present IN (0, 1)),
    based_on_score   REAL,
    proposed_at      TEXT NOT NULL,
    UNIQUE (line_item_id, user_id)        -- one per cell: a newer proposal replaces the older
) STRICT;
