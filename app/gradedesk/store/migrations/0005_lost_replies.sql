-- GradeDesk schema 5: when a score POST's reply was lost.

-- Set when a POST went out and no reply came back (a timeout, a broken connection). The
-- platform may still be working on that request, so "it did not land" is only concluded once
-- enough time has passed; a re-send before then could post the grade, and its comment, twice.
ALTER TABLE outbox ADD COLUMN reply_lost_at TEXT;
