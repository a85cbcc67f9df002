"""Headers every supplier page carries.

The Content-Security-Policy allows only our own scripts, styles and images (no inline script, no
CDN, no frames), so that even a filename or an error message crafted to look like markup can
never run in our origin. Inline *styles* are allowed because the chart and map libraries position
their elements with style attributes.
"""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required


def _tile_origin() -> str:
    """The configured basemap's origin (SLUIS_MAP_TILE_URL), the one outside image source."""
    parts = urlsplit(settings.SLUIS_MAP_TILE_URL.replace("{s}", "*"))
    return f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy() -> str:
    return CONTENT_SECURITY_POLICY.replace(
        "img-src 'self' data: blob:", "img-src 'self' data: blob:" + _tile_origin()
    )


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def with_page_headers(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.setdefault("Content-Security-Policy", content_security_policy())
        response.setdefault("Referrer-Policy", "same-origin")
        return response

    return wrapped


def signed_in_page(view):
    """A page for signed-in users: others are sent to the sign-in page, then back."""
    return with_page_headers(login_required(view, login_url="web-login"))
