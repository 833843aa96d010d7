"""Recognising secrets in text, so that no log line or error message ever carries one.

The last line of defence: code must still never put keys, assertions, tokens or Authorization
headers into messages in the first place.
"""

from __future__ import annotations

import re

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
