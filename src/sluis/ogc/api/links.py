"""Absolute links of the OGC services, carrying the caller's ``?token=`` when it sent one.

Clients such as GDAL follow the links a document gives them (``next``, ``items``); a token the
caller put in the URL has to travel along, or the second request would be anonymous.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def token_query(request) -> dict[str, str]:
    token = request.GET.get("token")
    return {"token": token} if token else {}


def href_factory(request, url_name: str):
    """``href(path, **query)``: an absolute URL under the named view's URL."""
    base = request.build_absolute_uri(reverse(url_name)).rstrip("/") + "/"
    token = token_query(request)

    def href(path: str = "", **query) -> str:
        pairs = {**{k: v for k, v in query.items() if v is not None}, **token}
        url = base + path
        return f"{url}?{urlencode(pairs)}" if pairs else url

    return href
