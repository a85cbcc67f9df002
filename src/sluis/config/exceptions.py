"""The one place where exceptions become HTTP error bodies."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

from sluis.accounts.errors import NotAuthenticated
from sluis.config.conditions import server_condition
from sluis.errors import SluisError

_DRF_CODES = {
    drf.AuthenticationFailed: "authentication_failed",
    drf.PermissionDenied: "permission_denied",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "throttled",
    drf.ParseError: "parse_error",
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map typed Sluis errors and DRF/Django exceptions to ``{"detail", "code", ...}``; a full
    disk or a database locked past the busy timeout is 507/503, never a 500.

    DRF raises its own ``NotAuthenticated`` when a permission class refuses an anonymous caller;
    it becomes Sluis's, so every endpoint answers the same 403 ``not_authenticated`` body.
    """
    if isinstance(exc, drf.NotAuthenticated):
        exc = NotAuthenticated()
    if not isinstance(exc, SluisError):
        exc = server_condition(exc) or exc
    if isinstance(exc, SluisError):
        return Response(exc.as_dict(), status=exc.status_code, headers=exc.headers)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if not isinstance(exc, drf.APIException):
        return None
    return Response(_drf_body(exc), status=exc.status_code, headers=_drf_headers(exc))


def _drf_body(exc: drf.APIException) -> dict[str, Any]:
    if isinstance(exc, drf.ValidationError):
        return {"detail": _first_message(exc.detail), "code": "invalid", "errors": exc.detail}
    code = _DRF_CODES.get(type(exc)) or getattr(exc, "default_code", "error")
    return {"detail": str(exc.detail), "code": code}


def _drf_headers(exc: drf.APIException) -> dict[str, str]:
    headers = {}
    if challenge := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = challenge
    if wait := getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(wait))
    return headers


def _first_message(detail: Any) -> str:
    """A readable sentence for the first problem in a (nested) DRF validation error."""
    if isinstance(detail, dict):
        field, value = next(iter(detail.items()))
        return f"{field}: {_first_message(value)}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def server_error(request, *args, **kwargs) -> JsonResponse:
    """JSON body for an unexpected 500: never an HTML page, never internals."""
    body = {"detail": "Internal server error. The error has been logged.", "code": "server_error"}
    return JsonResponse(body, status=500)


def not_found(request, exception=None) -> JsonResponse:
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


def bad_request(request, exception=None) -> JsonResponse:
    return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)


def permission_denied(request, exception=None) -> JsonResponse:
    body = {"detail": "You do not have permission to perform this action.", "code": "forbidden"}
    return JsonResponse(body, status=403)
