"""Session authentication for the browser's API calls, with CSRF checked from the header only.

DRF's ``SessionAuthentication`` runs Django's CSRF check, which looks for the token in
``request.POST`` first. For a multipart upload that would parse (and so consume) the whole body
before the upload view streams it, or fail with 415 on a view without form parsers. The pages
always send the token in the ``X-CSRFToken`` header, so the check here is given the request
with an empty ``POST``: the header (or nothing) decides, and the body is left unread. Origin and
Referer checks are Django's, unchanged. Cross-site forms cannot set custom headers, so this is
at least as strict as the stock check.
"""

from django.http import QueryDict
from rest_framework import authentication


class _BodylessRequest:
    """``request`` as the CSRF check sees it: everything but the parsed body."""

    def __init__(self, request):
        self._wrapped = request
        self.POST = QueryDict()

    def __getattr__(self, name):
        return getattr(self._wrapped, name)


class SessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser user; unsafe methods need the CSRF token in ``X-CSRFToken``."""

    def enforce_csrf(self, request):
        bodyless = _BodylessRequest(request._request)  # stands in for the Request it wraps
        return super().enforce_csrf(bodyless)  # type: ignore[arg-type]
