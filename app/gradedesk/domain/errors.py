"""The root of GradeDesk's error tree and the errors the domain itself raises."""

from __future__ import annotations


class GradeDeskError(Exception):
    """Every error GradeDesk expects carries a short message fit to show a user.

    Anything raised that is not a GradeDeskError is a bug.
    """

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class InputError(GradeDeskError):
    """A value given by a user or a caller breaks the domain's rules (e.g. "abc" as a score)."""


class InvalidWireData(InputError):
    """JSON from a server does not have the shape the specification promises."""


class Cancelled(GradeDeskError):
    """The user cancelled the running work. Shown silently."""

    def __init__(self, user_message: str = "Cancelled.") -> None:
        super().__init__(user_message)


class TimeLimitReached(Cancelled):
    """A job ran past its time limit and stopped as if cancelled: what was not done waits."""

    def __init__(self, limit_s: float) -> None:
        minutes = limit_s / 60
        said = f"{minutes:g} minute{'s' if minutes != 1 else ''}" if limit_s >= 60 \
            else f"{limit_s:g} second{'s' if limit_s != 1 else ''}"
        super().__init__(f"Stopped at the time limit of {said}.")
        self.limit_s = limit_s
        self.limit_text = said
