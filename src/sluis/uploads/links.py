"""Temporary download links: unforgeable, expiring, served as attachments.

On S3-compatible storage a link is a presigned URL instead (same lifetime), asking the store to
answer with the same attachment ``Content-Disposition``, content type and ``no-store``.

Locally, a link carries the storage key, the name to download as, the content type and its
expiry, signed with HMAC (``django.core.signing``, salted, keyed by ``SECRET_KEY``). Changing any
character breaks the signature (403); after the expiry the link answers 410. The key is inside
the signed payload, so a link can never be re-pointed at another object.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from sluis.errors import SluisError
from sluis.uploads.storage import is_local, object_storage

SALT = "sluis.download-link"


class InvalidLink(SluisError):
    status_code = 403
    code = "invalid_link"
    default_detail = "This download link is not valid."


class ExpiredLink(SluisError):
    status_code = 410
    code = "link_expired"
    default_detail = "This download link has expired; ask for a new one."


@dataclass(frozen=True)
class DownloadLink:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class LinkTarget:
    key: str
    filename: str
    content_type: str


def download_link(
    *,
    request,
    key: str,
    filename: str,
    content_type: str = "application/octet-stream",
    ttl_seconds: int | None = None,
) -> DownloadLink:
    """A signed URL that downloads object ``key`` as ``filename`` until it expires."""
    ttl = ttl_seconds if ttl_seconds is not None else settings.SLUIS_DOWNLOAD_LINK_TTL
    expires_at = (timezone.now() + timedelta(seconds=ttl)).replace(microsecond=0)
    storage = object_storage()
    if not is_local(storage):
        return DownloadLink(
            url=_presigned(storage, key, filename, content_type, ttl), expires_at=expires_at
        )
    payload = {"k": key, "n": filename, "t": content_type, "x": int(expires_at.timestamp())}
    path = reverse("download", args=[signing.dumps(payload, salt=SALT, compress=True)])
    return DownloadLink(url=_absolute(request, path), expires_at=expires_at)


def _presigned(storage, key: str, filename: str, content_type: str, ttl: int) -> str:
    parameters = {
        "ResponseContentDisposition": content_disposition(filename),
        "ResponseContentType": content_type,
        "ResponseCacheControl": "private, no-store",
    }
    return storage.url(key, parameters=parameters, expire=max(ttl, 1))


def link_cache(context: Mapping[str, Any]) -> dict[Any, Any]:
    """The links made while serialising one response, kept in the serializer context (a dict,
    shared by a list's child serializers) so that each object's link is signed once."""
    return cast("dict[str, Any]", context).setdefault("_links", {})


def link_resolve(*, signed: str) -> LinkTarget:
    """The object a link points at; InvalidLink if tampered, ExpiredLink if expired."""
    try:
        payload = signing.loads(signed, salt=SALT)
    except signing.BadSignature as exc:
        raise InvalidLink() from exc
    if datetime.fromtimestamp(payload["x"], tz=UTC) <= timezone.now():
        raise ExpiredLink()
    return LinkTarget(key=payload["k"], filename=payload["n"], content_type=payload["t"])


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the exact name as ``filename*=UTF-8''…``."""
    fallback = "".join(c for c in filename if c.isascii() and (c.isalnum() or c in "._-"))
    return f"attachment; filename=\"{fallback or 'download'}\"; filename*=UTF-8''{quote(filename)}"


def _absolute(request, path: str) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SLUIS_PUBLIC_URL.rstrip("/") + path
