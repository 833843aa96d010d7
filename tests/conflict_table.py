"""The one table of "did a colleague change this?" cases: the rule itself, the pull (the store
flagging drafts) and the push (the engine's check before sending) are all tested on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gradedesk.domain.server_copy import NOTHING, ServerCopy

T = datetime(2026, 3, 1, 9, tzinfo=UTC)
LATER = T + timedelta(hours=1)
BASE = ServerCopy(7.0, 10.0, "ok", None)

# (base the draft was made on, what the platform holds now, changed?)
CASES = [
    pytest.param(BASE, BASE, False, id="same"),
    pytest.param(BASE, ServerCopy(9.0, 10.0, "ok"), True, id="score"),
    pytest.param(BASE, ServerCopy(7.0, 20.0, "ok"), True, id="maximum"),
    pytest.param(BASE, ServerCopy(7.0, 10.0, "regraded"), True, id="comment"),
    pytest.param(BASE, NOTHING, True, id="result gone"),
    pytest.param(NOTHING, ServerCopy(5.0, 10.0, None), True, id="result appeared"),
    pytest.param(NOTHING, NOTHING, False, id="still none"),
    pytest.param(ServerCopy(7.0, 10.0, ""), ServerCopy(7.0, 10.0, None), False,
                 id="blank and absent comment"),
    pytest.param(ServerCopy(7.0, 10.0, None, T), ServerCopy(7.0, 10.0, None, LATER), True,
                 id="newer time (LTIAAS)"),
    pytest.param(ServerCopy(7.0, 10.0, None, T), ServerCopy(7.0, 10.0, None, T), False,
                 id="same time"),
    pytest.param(ServerCopy(7.0, 10.0, None), ServerCopy(7.0, 10.0, None, LATER), False,
                 id="time only on one side (Canvas gives none)"),
]
