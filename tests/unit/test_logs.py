"""Secrets never reach a log line, even when code slips and logs one."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from gradedesk.domain.redaction import redact
from gradedesk.logs import configure_logging
from keys_support import generated_pem, pem_body_line

PEM = generated_pem()
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMDAwMCJ9.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"key was {PEM} oops", pem_body_line()),
        (f"Authorization: Bearer {JWT}", JWT),
        ("Authorization: SERVICE-AUTH-V1 apikey123:servicekey456", "apikey123"),
        (f"client_assertion={JWT}&scope=x", JWT),
        ("access_token=abc.def.ghi", "abc.def.ghi"),
        (f"token {JWT} in the middle", "c2lnbmF0dXJl"),
    ],
    # Ids of their own: the key is made at run time and differs between pytest-xdist's workers.
    ids=["pem", "bearer", "service-auth", "client-assertion", "access-token", "jwt-inline"],
)
def test_redact_removes_the_secret(line: str, secret: str) -> None:
    cleaned = redact(line)
    assert secret not in cleaned
    assert "redacted" in cleaned


def test_plain_messages_pass_unchanged() -> None:
    line = "Pulled 6 line items and 24 members from http://127.0.0.1:8000 in 0.4 s"
    assert redact(line) == line


def test_the_log_file_is_owner_only_and_redacted(tmp_path: Path) -> None:
    configure_logging(tmp_path / "logs")
    try:
        log = logging.getLogger("gradedesk.test")
        log.warning("sending %s", f"Bearer {JWT}")
        try:
            raise ValueError(f"bad key {PEM}")
        except ValueError:
            log.exception("failed")
        for handler in logging.getLogger().handlers:
            handler.flush()
        log_file = tmp_path / "logs" / "gradedesk.log"
        text = log_file.read_text()
        assert "sending Bearer [redacted]" in text
        assert "ValueError" in text and pem_body_line() not in text and JWT not in text
        assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    finally:
        for handler in list(logging.getLogger().handlers):
            logging.getLogger().removeHandler(handler)
            handler.close()
