-- GradeDesk schema 1: connections, server snapshots, drafts, outbox, Progress jobs, audit log.
-- Times are ISO 8601 text in UTC with milliseconds and offset (they sort as text).
-- No secret ever goes into this file: keys live in the OS keyring (gradedesk.secrets).

CREATE TABLE connections (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    kind          TEXT NOT NULL CHECK (kind IN ('lti', 'ltiaas')),
    settings_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings_json)),
    created_at    TEXT NOT NULL
) STRICT;

-- Server copies ("snapshots"): replaced on every pull, never edited locally.

CREATE TABLE line_items (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    url            TEXT NOT NULL,          -- the AGS line item id
    label          TEXT NOT NULL,
    score_maximum  REAL NOT NULL,
    wire_json      TEXT NOT NULL CHECK (json_valid(wire_json)),
    content_hash   TEXT NOT NULL,
    fetched_at     TEXT NOT NULL,
    missing_since  TEXT,                   -- set when a full listing no longer has it
    UNIQUE (connection_id, url)
) STRICT;

CREATE TABLE members (
    connection_id  INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL,
    name           TEXT,
    given_name     TEXT,
    family_name    TEXT,
    sort_name      TEXT NOT NULL,
    email          TEXT,
    roles_json     TEXT NOT NULL CHECK (json_valid(roles_json)),
    is_learner     INTEGER NOT NULL CHECK (is_learner IN (0, 1)),
    status         TEXT NOT NULL,
    section        TEXT,
    wire_json      TEXT NOT NULL CHECK (json_valid(wire_json)),
    content_hash   TEXT NOT NULL,
    fetched_at     TEXT NOT NULL,
    missing_since  TEXT,
    PRIMARY KEY (connection_id, user_id)
) STRICT;

CREATE TABLE server_results (
    line_item_id     INTEGER NOT NULL REFERENCES line_items(id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL,
    result_url       TEXT,
    score            REAL,
    maximum          REAL,
    comment          TEXT,
    server_timestamp TEXT,
    wire_json        TEXT NOT NULL CHECK (json_valid(wire_json)),
    content_hash     TEXT NOT NULL,        -- over what a grader sees: score, maximum, comment, time
    version          INTEGER NOT NULL DEFAULT 1,  -- +1 each time content_hash changes
    fetched_at       TEXT NOT NULL,
    PRIMARY KEY (line_item_id, user_id)
) STRICT;

-- Local edits: one draft per cell, with the server copy it was based on.

CREATE TABLE drafts (
    id                INTEGER PRIMARY KEY,
    line_item_id      INTEGER NOT NULL REFERENCES line_items(id) ON DELETE CASCADE,
    user_id           TEXT NOT NULL,
    revision          INTEGER NOT NULL DEFAULT 1,
    score_given       REAL CHECK (score_given IS NULL OR score_given >= 0),
    score_maximum     REAL CHECK (score_maximum IS NULL OR score_maximum >= 0),
    comment           TEXT,
    activity_progress TEXT NOT NULL CHECK (activity_progress IN
                          ('Initialized', 'Started', 'InProgress', 'Submitted', 'Completed')),
    grading_progress  TEXT NOT NULL CHECK (grading_progress IN
                          ('FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady')),
    attachments_json  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attachments_json)),
    base_present      INTEGER NOT NULL CHECK (base_present IN (0, 1)),
    base_score        REAL,
    base_maximum      REAL,
    base_comment      TEXT,
    base_timestamp    TEXT,
    base_hash         TEXT,
    score_timestamp   TEXT NOT NULL,       -- the AGS Score timestamp, fixed at edit time
    edited_at         TEXT NOT NULL,
    CHECK (score_given IS NULL OR score_maximum IS NOT NULL),
    UNIQUE (line_item_id, user_id)
) STRICT;

-- One entry per push of a draft revision. 'sending' is committed before the POST goes out.

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    draft_id        INTEGER REFERENCES drafts(id) ON DELETE SET NULL,
    draft_revision  INTEGER NOT NULL,
    line_item_id    INTEGER NOT NULL REFERENCES line_items(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL,
    payload_json    TEXT NOT NULL CHECK (json_valid(payload_json)),
    state           TEXT NOT NULL CHECK (state IN
                        ('queued', 'sending', 'sent', 'confirmed', 'failed', 'conflict')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT,
    result_url      TEXT,
    receipt_json    TEXT CHECK (receipt_json IS NULL OR json_valid(receipt_json)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    sending_at      TEXT,
    sent_at         TEXT,
    confirmed_at    TEXT
) STRICT;

CREATE INDEX outbox_by_state ON outbox (state, id);
CREATE INDEX outbox_by_cell ON outbox (line_item_id, user_id, id);
CREATE INDEX outbox_by_draft ON outbox (draft_id, id);

CREATE TABLE progress_jobs (
    id            INTEGER PRIMARY KEY,
    outbox_id     INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    progress_url  TEXT NOT NULL,
    file_title    TEXT,
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running',
                      'waiting_for_external_tool', 'completed', 'failed', 'canceled')),
    final         INTEGER NOT NULL DEFAULT 0 CHECK (final IN (0, 1)),
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_poll_at  TEXT NOT NULL,
    message       TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (outbox_id, progress_url)
) STRICT;

CREATE INDEX progress_jobs_due ON progress_jobs (final, next_poll_at);

-- Every request that changed (or tried to change) a grade. Names, not ids, so the record
-- outlives a removed connection. Append-only, enforced below.

CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY,
    at               TEXT NOT NULL,
    grader           TEXT NOT NULL,
    os_user          TEXT NOT NULL,
    connection_name  TEXT NOT NULL,
    line_item_url    TEXT,
    user_id          TEXT,
    action           TEXT NOT NULL,
    summary          TEXT NOT NULL,
    reply_status     INTEGER,
    outbox_id        INTEGER
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
