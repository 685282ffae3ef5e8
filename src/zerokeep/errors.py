"""The error tree, and the one function that renders the Mistral error shape.

    ZerokeepError (500 server_error)
    ├── InvalidRequest        400 invalid_request_error
    │   └── UnknownModel      400 invalid_request_error / unknown_model
    ├── AuthenticationFailed  401 authentication_error
    ├── PermissionDenied      403 permission_error
    ├── NotFound              404 invalid_request_error / not_found
    ├── MethodNotAllowed      405 invalid_request_error
    ├── Conflict              409 invalid_request_error / conflict
    ├── PayloadTooLarge       413 invalid_request_error / payload_too_large
    ├── ValidationFailed      422 invalid_request_error (message = {"detail": [...]})
    ├── RateLimited           429 rate_limit_error
    └── ServiceUnavailable    503 server_error
    providers.base.UpstreamError subclasses are rendered with their own status and type.

Messages are fixed texts written here or by services: they say what to do and never echo
request content (a prompt, a field value, an unknown field name, an upstream body).
"""

from __future__ import annotations

from typing import Any, ClassVar

import orjson
from starlette.responses import Response

from zerokeep.providers.base import UpstreamError, UpstreamOverloaded, UpstreamRateLimited

# What we tell clients when an upstream rate-limits us (or is overloaded) and gave no usable hint.
UPSTREAM_RETRY_AFTER_SECONDS = 5


class ZerokeepError(Exception):
    status_code: ClassVar[int] = 500
    error_type: ClassVar[str] = "server_error"
    code: ClassVar[str | None] = None
    default_message: ClassVar[str] = "Internal error."

    def __init__(self, message: str | None = None, *, param: str | None = None) -> None:
        self.message = message or self.default_message
        self.param = param
        super().__init__(self.message)

    def headers(self) -> dict[str, str]:
        return {}


class InvalidRequest(ZerokeepError):
    status_code = 400
    error_type = "invalid_request_error"
    default_message = "The request is invalid."


class UnknownModel(InvalidRequest):
    code = "unknown_model"
    default_message = (
        "The model is not available on this deployment for this route; "
        "GET /v1/models lists the models you can use."
    )


class AuthenticationFailed(ZerokeepError):
    status_code = 401
    error_type = "authentication_error"
    default_message = "Unauthorized: send a valid API key as 'Authorization: Bearer <key>'."


class PermissionDenied(ZerokeepError):
    status_code = 403
    error_type = "permission_error"
    default_message = "You do not have permission to do this."


class NotFound(ZerokeepError):
    status_code = 404
    error_type = "invalid_request_error"
    code = "not_found"
    default_message = "Not found."


class MethodNotAllowed(ZerokeepError):
    status_code = 405
    error_type = "invalid_request_error"
    code = "method_not_allowed"
    default_message = "This method is not allowed on this path."


class Conflict(ZerokeepError):
    status_code = 409
    error_type = "invalid_request_error"
    code = "conflict"
    default_message = "The resource is not in a state that allows this."


class PayloadTooLarge(ZerokeepError):
    status_code = 413
    error_type = "invalid_request_error"
    code = "payload_too_large"
    default_message = "The request body is larger than this deployment accepts."


class ValidationFailed(ZerokeepError):
    status_code = 422
    error_type = "invalid_request_error"
    default_message = "The request body is not valid."

    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__()
        self.details = details


class RateLimited(ZerokeepError):
    status_code = 429
    error_type = "rate_limit_error"
    code = "1300"
    default_message = "Rate limit exceeded"

    def __init__(
        self, retry_after: int, limit_headers: dict[str, str], message: str | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.limit_headers = limit_headers

    def headers(self) -> dict[str, str]:
        return {**self.limit_headers, "retry-after": str(self.retry_after)}


class ServiceUnavailable(ZerokeepError):
    status_code = 503
    error_type = "server_error"
    default_message = "The service is temporarily unavailable; retry shortly."


def error_body(
    message: str | dict[str, Any], error_type: str, code: str | None, param: str | None = None
) -> bytes:
    return orjson.dumps(
        {"object": "error", "message": message, "type": error_type, "param": param, "code": code}
    )


def render_error(error: Exception, headers: dict[str, str] | None = None) -> Response:
    """Render any exception as a Mistral-shaped JSON error response."""
    extra = dict(headers or {})
    if isinstance(error, ValidationFailed):
        body = error_body({"detail": error.details}, error.error_type, None)
        status = error.status_code
    elif isinstance(error, ZerokeepError):
        body = error_body(error.message, error.error_type, error.code, error.param)
        status = error.status_code
        extra.update(error.headers())
    elif isinstance(error, UpstreamError):
        body = error_body(error.describe(), error.error_type, error.code, error.param)
        status = error.status_code
        if error.retry_after is not None:
            extra["retry-after"] = str(error.retry_after)
        elif isinstance(error, UpstreamRateLimited | UpstreamOverloaded):
            extra["retry-after"] = str(UPSTREAM_RETRY_AFTER_SECONDS)
    else:
        body = error_body(ZerokeepError.default_message, "server_error", None)
        status = 500
    return Response(body, status_code=status, headers=extra, media_type="application/json")
