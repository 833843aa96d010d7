"""The tool's RSA key: load it from PEM, publish its public JWK (RFC 7517/7638).

The keyring layer stores the PEM; this module only turns bytes into a usable key, with an error
a user can act on when the bytes are not a private key.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gradedesk.platforms.errors import InvalidKey

MIN_KEY_BITS = 2048


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def generate_private_key_pem(bits: int = 2048) -> bytes:
    """A new unencrypted PKCS#8 PEM RSA key (for the CLI's key setup and for tests)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_private_key(pem: bytes | str, password: bytes | None = None) -> rsa.RSAPrivateKey:
    """An RSA private key from PEM; InvalidKey (never the key's bytes) when unusable."""
    # A PEM is ASCII: a character UTF-8 cannot hold (a lone surrogate from a mis-decoded file)
    # becomes "?" and the key is then refused as damaged, not with a UnicodeEncodeError.
    data = pem.encode("utf-8", "replace") if isinstance(pem, str) else pem
    if not isinstance(data, bytes | bytearray) or b"-----BEGIN" not in data:
        raise InvalidKey("The private key is not in PEM form (it should start with -----BEGIN).")
    try:
        key = serialization.load_pem_private_key(bytes(data), password=password)
    except TypeError:
        raise InvalidKey("The private key is encrypted and needs a password "
                         "(or a password was given for an unencrypted key).") from None
    except (ValueError, UnsupportedAlgorithm):
        raise InvalidKey("The PEM data could not be read as a private key "
                         "(damaged, wrong password, or not a private key).") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidKey("LTI 1.3 platforms such as Canvas need an RSA key (RS256); "
                         f"this is a {type(key).__name__.lstrip('_')}.")
    if key.key_size < MIN_KEY_BITS:
        raise InvalidKey(
            f"The RSA key has {key.key_size} bits; at least {MIN_KEY_BITS} are needed.")
    return key


def public_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> bytes:
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo)


def jwk_thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638: SHA-256 over the required members, sorted, no spaces; base64url, no padding."""
    canonical = json.dumps({"e": jwk["e"], "kty": jwk["kty"], "n": jwk["n"]},
                           separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def public_jwk(key: rsa.RSAPrivateKey | rsa.RSAPublicKey, kid: str | None = None
               ) -> dict[str, str]:
    """The public JWK to register with the platform; ``kid`` defaults to the RFC 7638
    thumbprint so it is stable for the same key."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    numbers = public.public_numbers()
    jwk = {"kty": "RSA", "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}
    jwk.update({"alg": "RS256", "use": "sig", "kid": kid or jwk_thumbprint(jwk)})
    return jwk


def key_id_of(key: rsa.RSAPrivateKey) -> str:
    return jwk_thumbprint(public_jwk(key))
