"""Recognising secrets in text, so that no log line or error message ever carries one.

The last line of defence: code must still never put keys, assertions, tokens or Authorization
headers into messages in the first place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote, unquote, urlsplit

_REDACTIONS = (
    # PEM blocks of any kind (private keys above all), even cut short before their END line.
    (re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(?:-----END [A-Z0-9 ]+-----|$)", re.S),
     "[redacted PEM]"),
    # Authorization header values: Bearer tokens, LTIAAS SERVICE-AUTH / LTIK-AUTH keys.
    (re.compile(r"(?i)\b(bearer|service-auth-v1|ltik-auth-v[12])\s+[^\s,'\"]+"), r"\1 [redacted]"),
    # JWTs (three base64url parts) such as tokens and client assertions.
    (re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*"), "[redacted JWT]"),
    # key=value forms of the OAuth fields.
    (re.compile(r"(?i)\b(access_token|client_assertion|api_key|service_key)=([^&\s]+)"),
     r"\1=[redacted]"),
)


def redact(text: str) -> str:
    """The text with anything that looks like a secret replaced."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


# The path segment after one of these names a person (or their result): a user id, a result
# id, an enrollment. AGS results, Canvas users and submissions, Names and Roles members.
_PERSON_COLLECTIONS = frozenset({
    "result", "results", "user", "users", "member", "members", "membership", "memberships",
    "student", "students", "learner", "learners", "people", "submission", "submissions",
    "enrollment", "enrollments"})
HIDDEN_SEGMENT = "\u2026"  # "…"
_QUOTED_HIDDEN = quote(HIDDEN_SEGMENT)


def loggable_url(url: str) -> str:
    """The URL as a log line may show it: scheme, host, port and path, without user info, query
    string or fragment (``user_id=`` and page links travel there), and with each path segment
    that may name a student replaced by "…": the one after ``results``, ``users``,
    ``members``, ``submissions``, ... and any holding an "@". A segment that is a whole URL
    (LTIAAS carries the LMS's line item URL as one encoded segment) gets the same treatment."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # not a URL that can be taken apart: nothing of it is safe to show
        return HIDDEN_SEGMENT
    if ":" in host:
        host = f"[{host}]"
    if port is not None:
        host = f"{host}:{port}"
    path = "/".join(_loggable_segments(parts.path.split("/")))
    return f"{parts.scheme}://{host}{path}" if parts.scheme else path


def _loggable_segments(segments: list[str]) -> Iterator[str]:
    after_person = False
    for segment in segments:
        decoded = unquote(segment)
        if segment and (after_person or "@" in decoded):
            yield HIDDEN_SEGMENT
        elif "://" in decoded:
            yield quote(loggable_url(decoded), safe="").replace(_QUOTED_HIDDEN, HIDDEN_SEGMENT)
        else:
            yield segment
        after_person = decoded.lower() in _PERSON_COLLECTIONS
