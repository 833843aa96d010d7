-- GradeDesk schema 4: what a confirmation proved, and refusals that will not change.

-- The version of the server copy that a confirmation read back (-1: the platform held no
-- result). A later pull that brings a different copy makes the cell plain "synced" again, so
-- no cell claims Confirmed for a value the platform no longer holds. NULL: confirmed before
-- schema 4.
ALTER TABLE outbox ADD COLUMN confirmed_version INTEGER;

-- What the platform kept when the read-back differs from what was sent (JSON: score,
-- maximum, comment); NULL when it holds exactly what was sent.
ALTER TABLE outbox ADD COLUMN kept_json TEXT CHECK (kept_json IS NULL OR json_valid(kept_json));

-- 1 for a failure the platform will repeat whatever happens (not a student, gone, not
-- allowed): not retried by later pushes; the grader edits the grade again or discards it.
ALTER TABLE outbox ADD COLUMN refused INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1));
