"""The request id: accepted from ``X-Request-ID`` (nginx's ``$request_id``) or made here,
bound to every log line of the request, echoed in the response, and written on the access line
(``sluis.ops.gunicorn.SluisLogger``) together with the user and the client address."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, MutableMapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from sluis.accounts.addresses import client_address
from sluis.config.logging import log_context

__all__ = ["client_address"]  # re-exported: the access log imports it from here

HEADER = "X-Request-ID"
# Ids from a proxy or a client are kept only when they are short and plainly safe to log.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
REQUEST_ID_KEY = "sluis.request_id"
USER_ID_KEY = "sluis.user_id"


def request_id(environ: MutableMapping[str, Any]) -> str:
    """The request's id, decided once per request and kept in the WSGI environ."""
    if REQUEST_ID_KEY not in environ:
        given = environ.get("HTTP_X_REQUEST_ID", "")
        fine = isinstance(given, str) and SAFE_REQUEST_ID.fullmatch(given)
        environ[REQUEST_ID_KEY] = given if fine else uuid.uuid4().hex
    return environ[REQUEST_ID_KEY]


class RequestIdMiddleware:
    """Binds ``request_id`` for the request's log lines and notes the authenticated user's id
    for the access line (a user the view never looked up is not loaded for the log)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id(request.META)
        with log_context(request_id=rid):
            response = self.get_response(request)
        response[HEADER] = rid
        user_id = _user_id(request)
        if user_id is not None:
            request.META[USER_ID_KEY] = user_id
        return response


def _user_id(request: HttpRequest) -> int | None:
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None
