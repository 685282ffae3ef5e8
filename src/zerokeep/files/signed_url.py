"""Signed download URLs: an HMAC over (file id, expiry) lets a link download without an API key
until it expires. The key is derived from the deployment secret for this purpose only.

    url = sign(key, base_url, file_id, expires_at)
    check(key, file_id, expires, signature, now)    # raises AuthenticationFailed if not valid
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from urllib.parse import urlencode

from zerokeep.errors import AuthenticationFailed

MIN_EXPIRY_HOURS = 1
MAX_EXPIRY_HOURS = 168
DEFAULT_EXPIRY_HOURS = 24


def _mac(key: bytes, file_id: str, expires: int) -> str:
    return hmac.new(key, f"{file_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def sign(key: bytes, base_url: str, file_id: str, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    query = urlencode({"expires": expires, "signature": _mac(key, file_id, expires)})
    return f"{base_url.rstrip('/')}/v1/files/{file_id}/content?{query}"


def check(key: bytes, file_id: str, expires: str, signature: str, now: datetime) -> None:
    try:
        expires_at = int(expires)
    except ValueError:
        raise AuthenticationFailed("This download link is not valid.") from None
    if not hmac.compare_digest(_mac(key, file_id, expires_at), signature):
        raise AuthenticationFailed("This download link is not valid.")
    if now.timestamp() >= expires_at:
        raise AuthenticationFailed("This download link has expired; ask for a new one.")
