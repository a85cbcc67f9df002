"""Typed errors of the Sluis client.

Every error carries the server's human ``detail`` and stable machine ``code`` (``{"detail",
"code", ...}`` is the shape of every Sluis error body), so a script can branch on the exception
class and still log the server's own sentence. The class is chosen by HTTP status first and
refined by ``code`` where one status means several things (a 400 may be "not uploadable" or
"wrong format").
"""

from __future__ import annotations

import email.utils
import time
from datetime import UTC
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from sluis_client.models import UploadStatus


class SluisClientError(Exception):
    """Root of every error the client raises; ``detail`` is a sentence, ``code`` is stable."""

    code: str = "client_error"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code


class ConfigurationError(SluisClientError):
    """The base URL or token is missing or malformed (nothing was sent)."""

    code = "configuration_error"


class ConnectionFailed(SluisClientError):
    """The server could not be reached, or the connection broke, on every attempt."""

    code = "connection_failed"


class ApiError(SluisClientError):
    """The server answered with an error status; ``body`` is its parsed JSON (or ``{}``)."""

    status_code: int = 0

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        body: dict[str, Any] | None = None,
        headers: httpx.Headers | None = None,
    ) -> None:
        super().__init__(detail, code=code)
        if status_code is not None:
            self.status_code = status_code
        self.body: dict[str, Any] = body or {}
        self.headers = headers or httpx.Headers()

    def __str__(self) -> str:
        return f"{self.detail} ({self.status_code} {self.code})"


class BadRequest(ApiError):
    """400: the request was refused; ``detail`` says why."""

    status_code = 400
    code = "bad_request"


class NotUploadable(BadRequest):
    """400: the sync task has no data source, or its data source does not accept uploads."""

    code = "not_uploadable"


class UnsupportedFormat(BadRequest):
    """400/415: the file's content does not fit the data source, or an archive was refused.

    ``members`` names each offending file or archive entry (``name``, ``problem``, ``code``).
    """

    @property
    def members(self) -> list[dict[str, Any]]:
        members = self.body.get("members")
        return [m for m in members if isinstance(m, dict)] if isinstance(members, list) else []

    code = "unsupported_format"


class Forbidden(ApiError):
    """403: no token, an unknown/revoked/expired token, or not a Data Supplier for the task."""

    status_code = 403
    code = "permission_denied"


class NotFound(ApiError):
    """404: the sync task or upload does not exist or is not visible to this token."""

    status_code = 404
    code = "not_found"


class Busy(ApiError):
    """409: the data source is still processing an earlier upload.

    ``retry_after`` is the server's ``Retry-After`` in seconds (``None`` if absent) and
    ``running_upload`` the running upload as the server described it (id, status, start time).
    """

    status_code = 409
    code = "data_source_busy"

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("Retry-After"))

    @property
    def running_upload(self) -> dict[str, Any]:
        running = self.body.get("running_upload")
        return running if isinstance(running, dict) else {}


class TooLarge(ApiError):
    """413: the upload is larger than the server accepts (500 MB by default)."""

    status_code = 413
    code = "too_large"


class RateLimited(ApiError):
    """429: too many requests; ``retry_after`` says when to come back."""

    status_code = 429
    code = "throttled"

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("Retry-After"))


class ServerError(ApiError):
    """5xx: the server (or a proxy in front of it) failed; not caused by the request."""

    status_code = 500
    code = "server_error"

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("Retry-After"))


class ProcessingFailed(SluisClientError):
    """The upload was received but processing failed; ``status`` holds the errors and counts."""

    code = "processing_failed"

    def __init__(self, status: UploadStatus) -> None:
        reason = status.failure_reason or "see the upload's errors"
        super().__init__(f"Processing of upload {status.id} failed: {reason}")
        self.status = status


class WaitTimeout(SluisClientError):
    """``wait`` gave up while the upload was still queued or processing."""

    code = "wait_timeout"

    def __init__(self, status: UploadStatus, timeout: float) -> None:
        super().__init__(
            f"Upload {status.id} is still {status.status} after waiting {timeout:g} seconds."
        )
        self.status = status


# Codes of a 400 that mean "this task cannot take uploads" or "this file does not fit" (the
# server's pre-flight: format sniffing and archive checks). Any other 400 is a ``BadRequest``.
NOT_UPLOADABLE_CODES = frozenset({"not_uploadable"})
FORMAT_CODES = frozenset(
    {
        "upload_rejected",
        "format_mismatch",
        "format_not_allowed",
        "unsupported_format",
        "unsupported_archive",
        "json_too_large",
        "shapefile_incomplete",
        "unreadable_file",
    }
)
FORMAT_CODE_PREFIXES = ("archive_",)

_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Forbidden,
    403: Forbidden,
    404: NotFound,
    409: Busy,
    411: BadRequest,
    413: TooLarge,
    415: UnsupportedFormat,
    429: RateLimited,
}


def error_from_response(response: httpx.Response) -> ApiError:
    """The typed error for an error response, with the server's ``detail`` and ``code``."""
    body = _json_body(response)
    code = str(body.get("code") or "") or None
    detail = str(body.get("detail") or "") or _fallback_detail(response)
    cls = _error_class(response.status_code, code)
    return cls(
        detail, code=code, status_code=response.status_code, body=body, headers=response.headers
    )


def _error_class(status: int, code: str | None) -> type[ApiError]:
    if status == 400 and code in NOT_UPLOADABLE_CODES:
        return NotUploadable
    if status == 400 and code and (code in FORMAT_CODES or code.startswith(FORMAT_CODE_PREFIXES)):
        return UnsupportedFormat
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)


def _json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _fallback_detail(response: httpx.Response) -> str:
    reason = response.reason_phrase or "error"
    return f"The server answered {response.status_code} {reason} without a JSON error body."


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())
