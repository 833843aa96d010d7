"""Canvas's additions to AGS on line items (the Score's submission extension is decided, once,
by sync.outgoing)."""

from __future__ import annotations

from dataclasses import replace

from gradedesk.domain import LineItem

SUBMISSION_TYPE_EXTENSION = "https://canvas.instructure.com/lti/submission_type"


def with_new_column_defaults(item: LineItem) -> LineItem:
    """A column GradeDesk creates is a plain gradebook column: submission type ``none`` (no
    external-tool launch that would try to open GradeDesk), unless the caller chose one."""
    if SUBMISSION_TYPE_EXTENSION in item.extra:
        return item
    return replace(item, extra={**item.extra, SUBMISSION_TYPE_EXTENSION: {"type": "none"}})
