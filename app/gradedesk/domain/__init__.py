"""The domain: GradeDesk's values and rules. No I/O."""

from gradedesk.domain.clock import format_timestamp, parse_timestamp, utc_now
from gradedesk.domain.errors import Cancelled, GradeDeskError, InputError, InvalidWireData
from gradedesk.domain.models import (
    CANVAS_SUBMISSION_EXTENSION,
    INSTRUCTOR_ROLE,
    LEARNER_ROLE,
    TA_ROLE,
    CanvasSubmission,
    ContentItem,
    CourseContext,
    LineItem,
    Member,
    Progress,
    Result,
    Roster,
    Score,
    ScoreReceipt,
    parse_score_input,
)
from gradedesk.domain.progress_values import (
    ActivityProgress,
    GradingProgress,
    ProgressState,
    parse_enum,
)

__all__ = [
    "CANVAS_SUBMISSION_EXTENSION",
    "INSTRUCTOR_ROLE",
    "LEARNER_ROLE",
    "TA_ROLE",
    "ActivityProgress",
    "Cancelled",
    "CanvasSubmission",
    "ContentItem",
    "CourseContext",
    "GradeDeskError",
    "GradingProgress",
    "InputError",
    "InvalidWireData",
    "LineItem",
    "Member",
    "Progress",
    "ProgressState",
    "Result",
    "Roster",
    "Score",
    "ScoreReceipt",
    "format_timestamp",
    "parse_enum",
    "parse_score_input",
    "parse_timestamp",
    "utc_now",
]
