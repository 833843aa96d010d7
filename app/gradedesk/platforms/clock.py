"""Signing in once and reading the platform's clock, for ``gradedesk doctor``.

A JWT client assertion carries this computer's time (``iat``, ``exp``), and a platform refuses
one from a clock too far off; the platform's time comes from the ``Date`` header every HTTP
reply carries. The token, like every credential, stays inside the client: nothing here
returns, prints or logs it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from gradedesk.platforms.base import GradebookPlatform
from gradedesk.platforms.check import clock_skew_s
from gradedesk.platforms.http import Timeouts, build_client, require_secure_url, transport_error

# A look at the clock waits less than a sync would: the doctor runs one per connection.
CLOCK_TIMEOUTS = Timeouts(connect_s=10.0, read_s=15.0, write_s=15.0, pool_s=10.0, total_s=30.0)


def sign_in(platform: GradebookPlatform) -> float | None:
    """Sign in as a sync would, and return how far this computer's clock is ahead of the
    platform's (seconds; negative: behind), or None when the reply tells no time.

    LTI Advantage: a fresh access token for every scope GradeDesk uses (not one kept from an
    earlier run), whose reply gives the time. LTIAAS, whose keys need no token: one page of
    line items proves the keys; its time comes from ``platform_clock_skew``. Raises the
    platform's error (PlatformError) when the platform cannot be reached or refuses."""
    from gradedesk.platforms.lti_advantage.client import LtiAdvantageClient

    if isinstance(platform, LtiAdvantageClient):
        reply = platform.fetch_token()
        return clock_skew_s(reply.headers.get("date"), datetime.now(UTC))
    next(iter(platform.iter_line_items()), None)
    return None


def platform_clock_skew(url: str, *, timeouts: Timeouts = CLOCK_TIMEOUTS) -> float | None:
    """How far this computer's clock is ahead of the platform's at ``url`` (negative: behind),
    from the ``Date`` header of one plain GET sent without any credential (whatever its status:
    only the header is read, never the body). None when the reply has no usable Date;
    TransportError when the platform cannot be reached."""
    target = str(require_secure_url(url, "platform address"))
    with build_client(timeouts=timeouts) as client:
        try:
            with client.stream("GET", target) as reply:
                date = reply.headers.get("date")
        except httpx.HTTPError as exc:
            raise transport_error(exc, target) from None
    return clock_skew_s(date, datetime.now(UTC))
