-- GradeDesk schema 2: a bank of reusable comments per connection and line item.

CREATE TABLE comment_bank (
    id            INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    line_item_id  INTEGER NOT NULL REFERENCES line_items(id) ON DELETE CASCADE,
    text          TEXT NOT NULL CHECK (length(trim(text)) > 0),
    created_at    TEXT NOT NULL,
    UNIQUE (line_item_id, text)
) STRICT;
