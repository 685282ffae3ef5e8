"""Crypto helpers: API key tokens, HMAC digests, AES-GCM envelopes, key derivation.

token = generate_token("zk")            # 'zk_...' with a CRC32 checksum suffix
assert is_well_formed(token, "zk")
digest = hmac_digest(secret, token)     # what the database stores
box = seal(key, b"data", aad=b"org_1")  # nonce || ciphertext+tag
assert open_sealed(key, box, aad=b"org_1") == b"data"
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import zlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_ALPHABET = string.ascii_letters + string.digits
_BODY_LENGTH = 36
_CHECKSUM_LENGTH = 6
NONCE_BYTES = 12


def _base62(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        chars.append(_ALPHABET[rest])
    return "".join(reversed(chars))


def generate_token(prefix: str) -> str:
    """A random token `<prefix>_<36 base62 chars><6-char CRC32 checksum>`.

    The checksum lets us reject mistyped or truncated keys without a database lookup, and lets
    secret scanners recognise a zerokeep key.
    """
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_BODY_LENGTH))
    checksum = _base62(zlib.crc32(body.encode()), _CHECKSUM_LENGTH)
    return f"{prefix}_{body}{checksum}"


def is_well_formed(token: str, prefix: str) -> bool:
    head = prefix + "_"
    if not token.startswith(head) or len(token) != len(head) + _BODY_LENGTH + _CHECKSUM_LENGTH:
        return False
    rest = token[len(head) :]
    body, checksum = rest[:_BODY_LENGTH], rest[_BODY_LENGTH:]
    if not all(char in _ALPHABET for char in rest):
        return False
    return hmac.compare_digest(_base62(zlib.crc32(body.encode()), _CHECKSUM_LENGTH), checksum)


def hmac_digest(secret: bytes, value: str) -> str:
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def derive_key(master: bytes, purpose: str, length: int = 32) -> bytes:
    """Derive an independent subkey for one purpose (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose.encode()).derive(
        master
    )


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AES-256-GCM: returns nonce || ciphertext || tag."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, box: bytes, aad: bytes) -> bytes:
    return AESGCM(key).decrypt(box[:NONCE_BYTES], box[NONCE_BYTES:], aad)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
