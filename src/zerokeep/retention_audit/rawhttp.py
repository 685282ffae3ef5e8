"""A few raw HTTP calls over the standard library, for what an SDK will not send: malformed JSON,
oversized or chunked bodies, a client that hangs up mid-stream.

    response = RawHttp("http://127.0.0.1:8000").request("POST", "/v1/chat/completions", b"{")
    response.status
"""

from __future__ import annotations

import http.client
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class RawResponse:
    status: int
    body: bytes


class RawHttp:
    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        self._is_https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._is_https else 80)
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout

    def _connection(self) -> http.client.HTTPConnection:
        if self._is_https:
            return http.client.HTTPSConnection(self._host, self._port, timeout=self._timeout)
        return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | Iterable[bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> RawResponse:
        """One request; an iterable body is sent chunked (no Content-Length)."""
        connection = self._connection()
        try:
            is_chunked = body is not None and not isinstance(body, bytes)
            connection.request(
                method,
                self._prefix + path,
                body=body,
                headers=headers or {},
                encode_chunked=is_chunked,
            )
            response = connection.getresponse()
            return RawResponse(response.status, response.read())
        except (ConnectionError, http.client.HTTPException):
            # The server may answer 413 and close before reading the whole body.
            return RawResponse(_status_after_reset(connection), b"")
        finally:
            connection.close()

    def hang_up_mid_stream(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        """Start a streaming request, read its first bytes, then close the socket."""
        connection = self._connection()
        try:
            connection.request("POST", self._prefix + path, body=body, headers=headers)
            response = connection.getresponse()
            response.read1(64)
            return response.status
        finally:
            connection.close()


def _status_after_reset(connection: http.client.HTTPConnection) -> int:
    try:
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return 0
