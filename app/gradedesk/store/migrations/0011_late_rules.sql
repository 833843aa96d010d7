-- GradeDesk schema 11: late and missing work, locally. A column's late rule, what each late
-- penalty was worked out from (so a rule run again never penalises twice), and the time each
-- submission was made as the platform last reported it.

-- One rule per column. Percents are kept as the decimal text that was typed ("12.5"), so the
-- arithmetic stays exact (domain.late_policy).
CREATE TABLE late_rules (
    line_item_id   INTEGER PRIMARY KEY REFERENCES line_items(id) ON DELETE CASCADE,
    percent        TEXT NOT NULL CHECK (CAST(percent AS REAL) BETWEEN 0 AND 100),
    per            TEXT NOT NULL CHECK (per IN ('day', 'hour')),
    cap            TEXT CHECK (cap IS NULL OR CAST(cap AS REAL) BETWEEN 0 AND 100),
    grace_minutes  INTEGER NOT NULL DEFAULT 0 CHECK (grace_minutes >= 0),
    updated_at     TEXT NOT NULL
) STRICT;

-- The last late penalty proposed for a cell: the score before it (base_score) and after it
-- (penalised_score). While the cell shows penalised_score, the penalty is in the grade and a
-- new run starts again from base_score; once the cell shows anything else (the proposal was
-- rejected, or the work was graded again), that score is the new base.
CREATE TABLE late_penalties (
    line_item_id     INTEGER NOT NULL REFERENCES line_items(id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL,
    base_score       REAL NOT NULL CHECK (base_score >= 0),
    penalised_score  REAL NOT NULL CHECK (penalised_score >= 0),
    submitted_at     TEXT NOT NULL,
    working          TEXT NOT NULL,
    proposed_at      TEXT NOT NULL,
    PRIMARY KEY (line_item_id, user_id)
) STRICT;

-- When each submission was made, as the platform last reported it (Canvas's submission
-- extension on the result, submitted_at). Canvas replaces that extension with the one of each
-- score posted later, GradeDesk's own grade included, so the time is gone from the result
-- once the work is graded; kept here, a late rule still knows it. Written by the triggers
-- below, so every path that stores a server copy (pull, read-back, recovery) records it.
CREATE TABLE submission_times (
    line_item_id  INTEGER NOT NULL REFERENCES line_items(id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,    -- as the platform wrote it
    seen_at       TEXT NOT NULL,
    PRIMARY KEY (line_item_id, user_id)
) STRICT;

CREATE TRIGGER submission_time_inserted AFTER INSERT ON server_results
WHEN typeof(json_extract(NEW.wire_json,
        '$."https://canvas.instructure.com/lti/submission".submitted_at')) = 'text'
BEGIN
    INSERT INTO submission_times (line_item_id, user_id, submitted_at, seen_at)
    VALUES (NEW.line_item_id, NEW.user_id, json_extract(NEW.wire_json,
            '$."https://canvas.instructure.com/lti/submission".submitted_at'), NEW.fetched_at)
    ON CONFLICT (line_item_id, user_id) DO UPDATE SET submitted_at = excluded.submitted_at,
        seen_at = excluded.seen_at
    WHERE submitted_at IS NOT excluded.submitted_at;
END;

CREATE TRIGGER submission_time_updated AFTER UPDATE OF wire_json ON server_results
WHEN typeof(json_extract(NEW.wire_json,
        '$."https://canvas.instructure.com/lti/submission".submitted_at')) = 'text'
BEGIN
    INSERT INTO submission_times (line_item_id, user_id, submitted_at, seen_at)
    VALUES (NEW.line_item_id, NEW.user_id, json_extract(NEW.wire_json,
            '$."https://canvas.instructure.com/lti/submission".submitted_at'), NEW.fetched_at)
    ON CONFLICT (line_item_id, user_id) DO UPDATE SET submitted_at = excluded.submitted_at,
        seen_at = excluded.seen_at
    WHERE submitted_at IS NOT excluded.submitted_at;
END;

-- What an older database already holds.
INSERT INTO submission_times (line_item_id, user_id, submitted_at, seen_at)
SELECT line_item_id, user_id,
       json_extract(wire_json, '$."https://canvas.instructure.com/lti/submission".submitted_at'),
       fetched_at
FROM server_results
WHERE typeof(json_extract(wire_json,
        '$."https://canvas.instructure.com/lti/submission".submitted_at')) = 'text';
