-- GradeDesk schema 10: rubrics, one per column, and the levels chosen for each cell graded
-- with one. Local only: AGS carries scores and comments, never rubrics, so a pull leaves
-- these tables alone (they are not snapshots).

-- The rubric of a line item, in the file form teachers share (domain.rubrics.rubric_to_json).
CREATE TABLE rubrics (
    line_item_id  INTEGER PRIMARY KEY REFERENCES line_items(id) ON DELETE CASCADE,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    rubric_json   TEXT NOT NULL CHECK (json_valid(rubric_json)),
    updated_at    TEXT NOT NULL
) STRICT;

-- choice_json: the levels the cell's grade reflects (domain.rubrics.RubricChoice.to_json:
-- criterion, position, points, description), kept so that an edited rubric can recompute the
-- total. proposed_json: the same levels carried onto a newer rubric whose total differs,
-- proposed for review and not known to be accepted yet. own_comment: the grader's words after
-- the levels, so a recomputed comment keeps them.
CREATE TABLE rubric_grades (
    line_item_id  INTEGER NOT NULL REFERENCES line_items(id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL,
    choice_json   TEXT NOT NULL CHECK (json_valid(choice_json)),
    own_comment   TEXT,
    proposed_json TEXT CHECK (proposed_json IS NULL OR json_valid(proposed_json)),
    graded_at     TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (line_item_id, user_id)
) STRICT;
