"""GradeDesk: a desktop grading companion for LTI 1.3 Assignment and Grade Services."""

__version__ = "0.1.0"
