-- GradeDesk schema 3: short ids kept per connection, columns made in GradeDesk before the
-- platform has them, and where each roster entry came from.

-- The id a grader types for a line item: unique per connection whatever the platform's URL
-- shape, and kept across pulls (assigned by the store; NULL only in databases from schema 2
-- until their next pull).
ALTER TABLE line_items ADD COLUMN short_id TEXT;
CREATE UNIQUE INDEX line_items_by_short_id ON line_items (connection_id, short_id);

-- 'create': a column made in GradeDesk and not yet known to exist on the platform. Its url is
-- a local placeholder until the platform gives it an id; its resourceId (in wire_json) finds
-- it again after a crash or a lost reply. create_attempted_at: a creation request may have
-- gone out, so the next push looks for the column before creating it again.
ALTER TABLE line_items ADD COLUMN pending TEXT CHECK (pending IS NULL OR pending IN ('create'));
ALTER TABLE line_items ADD COLUMN create_attempted_at TEXT;

-- 'roster': from Names and Roles (or LTIAAS's members); 'results': named only by a result,
-- on a platform without Names and Roles; 'typed': a user id a grader typed.
ALTER TABLE members ADD COLUMN source TEXT NOT NULL DEFAULT 'roster'
    CHECK (source IN ('roster', 'results', 'typed'));
