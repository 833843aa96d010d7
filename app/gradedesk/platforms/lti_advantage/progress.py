"""Canvas's Progress objects for file uploads attached through a Score."""

from __future__ import annotations

import random as _random
import time
from collections.abc import Callable, Iterator

import httpx

from gradedesk.domain import Progress
from gradedesk.platforms.parsing import convert, json_of

SCOPE_PROGRESS = "https://canvas.instructure.com/lti-ags/progress/scope/show"
PROGRESS_MEDIA_TYPE = "application/json"


def parse_progress(response: httpx.Response) -> Progress:
    what = "a file upload's progress"
    return convert(response, what, Progress.from_wire, json_of(response, what))


def progress_delays(first_s: float = 1.0, max_s: float = 30.0,
                    random: Callable[[], float] = _random.random) -> Iterator[float]:
    """Canvas guidance: poll after about 1 s, doubling to 30 s, with jitter."""
    delay = first_s
    while True:
        yield delay * (0.8 + 0.4 * random())
        delay = min(max_s, delay * 2)


def wait_for_progress(
    get: Callable[[str], Progress],
    progress_url: str,
    *,
    timeout_s: float = 600.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    first_delay_s: float = 1.0,
    max_delay_s: float = 30.0,
) -> Progress:
    """Poll one Progress until it is final or ``timeout_s`` passes (then the last state is
    returned, still pending: the caller persists the URL and resumes later). ``sleep`` may be a
    cancellable wait."""
    deadline = clock() + timeout_s
    delays = progress_delays(first_delay_s, max_delay_s)
    while True:
        state = get(progress_url)
        if state.is_final:
            return state
        remaining = deadline - clock()
        if remaining <= 0:
            return state
        sleep(min(next(delays), remaining))
