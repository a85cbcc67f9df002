"""The view behind temporary download links: one object, as an attachment, with byte ranges."""

import re

from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from sluis.errors import SluisError
from sluis.uploads.administration import upload_original_check
from sluis.uploads.links import content_disposition, link_resolve
from sluis.uploads.models import Upload
from sluis.uploads.storage import object_storage

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# User bytes are never rendered by our origin: attachment, no sniffing, sandboxed, not cached.
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Accept-Ranges": "bytes",
}


class ObjectGone(SluisError):
    status_code = 410
    code = "object_gone"
    default_detail = "The file behind this link is no longer stored."


def download(request, signed: str) -> HttpResponseBase:
    try:
        target = link_resolve(signed=signed)
        storage = object_storage()
        if not storage.exists(target.key):
            raise _gone(target.key)
    except SluisError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status_code)
    response = _ranged(request, storage, target.key)
    response["Content-Type"] = target.content_type
    response["Content-Disposition"] = content_disposition(target.filename)
    for header, value in SAFE_HEADERS.items():
        response[header] = value
    return response


def _gone(key: str) -> SluisError:
    """``original_purged`` for an original removed after its retention, else ``object_gone``."""
    purged = Upload.objects.filter(storage_key=key).exclude(original_purged_at=None).first()
    if purged is None:
        return ObjectGone()
    try:
        upload_original_check(upload=purged)
    except SluisError as exc:
        return exc
    return ObjectGone()


def _ranged(request, storage, key: str) -> HttpResponseBase:
    size = storage.size(key)
    wanted = _parse_range(request.headers.get("Range", ""), size)
    if wanted is None:
        return FileResponse(storage.open(key, "rb"))
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = wanted
    partial = StreamingHttpResponse(_read(storage, key, start, end), status=206)
    partial["Content-Range"] = f"bytes {start}-{end}/{size}"
    partial["Content-Length"] = str(end - start + 1)
    return partial


def _parse_range(header: str, size: int):
    """(start, end) of one satisfiable range, None for no/ignored Range, False if unsatisfiable."""
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    return (start, end) if start <= end and start < size else False


def _read(storage, key: str, start: int, end: int):
    with storage.open(key, "rb") as handle:
        handle.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk
