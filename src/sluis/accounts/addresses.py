"""The client's address, as the access log and the failed-token limit see it."""

from collections.abc import MutableMapping
from typing import Any

from django.conf import settings


def client_address(environ: MutableMapping[str, Any]) -> str:
    """The client's address: behind the proxy (``SLUIS_BEHIND_PROXY``) the last address in
    ``X-Forwarded-For``, the one the proxy itself saw (earlier ones are the client's word)."""
    if settings.SLUIS_BEHIND_PROXY:
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return environ.get("REMOTE_ADDR", "")
