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


class NotFound(SluisError):
    status_code = 404
    code = "not_found"
    default_detail = "Not found."


class PermissionDenied(SluisError):
    status_code = 403
    code = "permission_denied"
    default_detail = "You do not have permission to perform this action."
