"""Root of Sluis's typed errors.

Every error a user can cause is a ``SluisError`` subclass with a stable machine ``code`` and an
HTTP status. One DRF exception handler (``sluis.config.exceptions``) turns them into
``{"detail": ..., "code": ..., **extra}`` responses, so views never build error bodies by hand.
"""

from typing import Any


class SluisError(Exception):
    """An error with a stable ``code``, an HTTP ``status_code`` and a human ``detail``."""

    status_code: int = 400
    code: str = "bad_request"
    default_detail: str = "The request is invalid."

    def __init__(
        self, detail: str | None = None, *, headers: dict[str, str] | None = None, **extra: Any
    ):
        self.detail = detail or self.default_detail
        self.headers = headers or {}
        self.extra = extra
        super().__init__(self.detail)

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.detail, "code": self.code, **self.extra}


class InvalidParameter(SluisError):
    code = "invalid_parameter"
    default_detail = "A query parameter has an invalid value."


class UnsupportedParameter(SluisError):
    """A parameter the Nexus API knows and Sluis does not implement: refused, never ignored, so
    a script gets an error instead of a silently unfiltered answer."""

    code = "unsupported_parameter"
    default_detail = "A query parameter is not supported."


class NotFound(SluisError):
    status_code = 404
    code = "not_found"
    default_detail = "Not found."


class PermissionDenied(SluisError):
    status_code = 403
    code = "permission_denied"
    default_detail = "You do not have permission to perform this action."


class DatabaseBusy(SluisError):
    """Another writer held the database's write lock for longer than the busy timeout
    (``SLUIS_SQLITE_TIMEOUT``): a condition of the server, answered 503 with Retry-After."""

    status_code = 503
    code = "database_busy"
    default_detail = (
        "The database is locked by another writer for longer than the server waits; "
        "nothing was changed. Retry after the time in Retry-After."
    )


class InsufficientStorage(SluisError):
    """The disk (or the database's disk) is full: 507, and nothing of the request is kept."""

    status_code = 507
    code = "insufficient_storage"
    default_detail = (
        "The server has no space left to store this request; nothing was kept. "
        "Retry later or tell the operator."
    )
