-- GradeDesk schema 6: every comment the platform was seen holding, for the detail panel's
-- comment thread; and sections that came from a file rather than from the platform.

-- server_results keeps only the platform's latest copy, and a confirmed push drops the draft
-- that remembered the copy before it: without this table the comment a colleague wrote before
-- yours would be forgotten once yours lands. One row each time a cell's comment, as read from
-- the platform, differs from the last one recorded for that cell. Written by the triggers
-- below, so every path that stores a server copy (pull, read-back, recovery) records it.
CREATE TABLE platform_comments (
    id               INTEGER PRIMARY KEY,
    line_item_id     INTEGER NOT NULL REFERENCES line_items(id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL,
    comment          TEXT NOT NULL,
    server_timestamp TEXT,            -- the result's own time, when the platform gives one
    seen_at          TEXT NOT NULL    -- when a pull or read-back first saw it
) STRICT;

CREATE INDEX platform_comments_by_cell ON platform_comments (line_item_id, user_id, id);

CREATE TRIGGER platform_comment_inserted AFTER INSERT ON server_results
WHEN NEW.comment IS NOT NULL AND trim(NEW.comment) != ''
    AND NEW.comment IS NOT (SELECT p.comment FROM platform_comments p
                            WHERE p.line_item_id = NEW.line_item_id AND p.user_id = NEW.user_id
                            ORDER BY p.id DESC LIMIT 1)
BEGIN
    INSERT INTO platform_comments (line_item_id, user_id, comment, server_timestamp, seen_at)
    VALUES (NEW.line_item_id, NEW.user_id, NEW.comment, NEW.server_timestamp, NEW.fetched_at);
END;

CREATE TRIGGER platform_comment_updated AFTER UPDATE OF comment ON server_results
WHEN NEW.comment IS NOT NULL AND trim(NEW.comment) != ''
    AND NEW.comment IS NOT (SELECT p.comment FROM platform_comments p
                            WHERE p.line_item_id = NEW.line_item_id AND p.user_id = NEW.user_id
                            ORDER BY p.id DESC LIMIT 1)
BEGIN
    INSERT INTO platform_comments (line_item_id, user_id, comment, server_timestamp, seen_at)
    VALUES (NEW.line_item_id, NEW.user_id, NEW.comment, NEW.server_timestamp, NEW.fetched_at);
END;

-- What an older database already knows: the copy each draft was based on (seen before the
-- edit), then the copy held now.
INSERT INTO platform_comments (line_item_id, user_id, comment, server_timestamp, seen_at)
SELECT line_item_id, user_id, base_comment, base_timestamp, edited_at FROM drafts
WHERE base_present = 1 AND base_comment IS NOT NULL AND trim(base_comment) != ''
ORDER BY id;

INSERT INTO platform_comments (line_item_id, user_id, comment, server_timestamp, seen_at)
SELECT r.line_item_id, r.user_id, r.comment, r.server_timestamp, r.fetched_at
FROM server_results r
WHERE r.comment IS NOT NULL AND trim(r.comment) != ''
    AND r.comment IS NOT (SELECT p.comment FROM platform_comments p
                          WHERE p.line_item_id = r.line_item_id AND p.user_id = r.user_id
                          ORDER BY p.id DESC LIMIT 1)
ORDER BY r.line_item_id, r.user_id;

-- 1: the section came from the Section column of an imported gradebook CSV (no platform's
-- Names and Roles reply names sections). A pull keeps such a section while the platform gives
-- none; a section the platform gives replaces it, and a file never overrides the platform's.
ALTER TABLE members ADD COLUMN section_from_file INTEGER NOT NULL DEFAULT 0
    CHECK (section_from_file IN (0, 1));
