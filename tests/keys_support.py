"""Key material for tests, made at run time: no private key, real or look-alike, is committed."""

from __future__ import annotations

from functools import cache

from gradedesk.platforms.keys import generate_private_key_pem


@cache
def generated_pem() -> str:
    """A real RSA private key in PEM form, made once per test run."""
    return generate_private_key_pem().decode("ascii")


def pem_body_line() -> str:
    """The first line of the key's base64 body (to prove it never leaks)."""
    return generated_pem().splitlines()[1]


def pem_with_body(body: str) -> str:
    """A PEM block with the generated key's BEGIN/END lines around ``body`` (a broken key)."""
    lines = generated_pem().splitlines()
    return f"{lines[0]}\n{body}\n{lines[-1]}\n"


def pem_cut_short() -> str:
    """The generated key's PEM cut before its END line, as a truncated paste would be."""
    return "\n".join(generated_pem().splitlines()[:2])
