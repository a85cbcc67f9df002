"""Upload endpoints. Thin: validate the request's framing, call one service, serialise."""

import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from sluis.catalog.errors import SyncTaskNotFound
from sluis.catalog.selectors import sync_task_visible
from sluis.uploads import errors
from sluis.uploads.administration import upload_original_check
from sluis.uploads.api.serializers import (
    LegacyUploadSerializer,
    UploadReceiptSerializer,
    UploadSerializer,
    original_link,
)
from sluis.uploads.intake import Receipt, upload_receive, upload_receive_legacy
from sluis.uploads.receiving import CHUNK, Limits, RequestBody
from sluis.uploads.selectors import (
    upload_visible,
    uploads_latest_per_data_source,
    uploads_visible,
)

_UPLOAD_BODY = {
    "multipart/form-data": {
        "type": "object",
        "properties": {"upload_file": {"type": "string", "format": "binary"}},
        "required": ["upload_file"],
    }
}
_LEGACY_BODY = {
    "multipart/form-data": {
        "type": "object",
        "properties": {
            "datasource": {"type": "integer", "description": "the data source's id"},
            "upload_file": {"type": "string", "format": "binary"},
        },
        "required": ["upload_file"],
    }
}
_DATASOURCE = OpenApiParameter(
    "datasource",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    description="the data source's id, when not sent as the form field 'datasource'",
)
# What receiving an upload can answer besides 201 and the common 400/403/404/429
# (sluis.config.schema): a stalled body, the busy rule, framing, size, media type, a reused key,
# the receivers or the database busy, a full disk.
_RECEIVING_ERRORS = (408, 409, 411, 413, 415, 422, 503, 507)
_IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="a retry with the same key and bytes replays the first 201",
)


def request_body(request) -> RequestBody:
    """The framing of a Django request; chunked bodies are read from the server's stream.

    Under gunicorn the client socket gets a read timeout (``SLUIS_UPLOAD_IDLE_TIMEOUT``), so a
    client that stops sending mid-body frees its thread with 408 instead of holding it forever.
    """
    meta = request.META
    if (sock := meta.get("gunicorn.socket")) is not None:
        sock.settimeout(settings.SLUIS_UPLOAD_IDLE_TIMEOUT)
    chunked = meta.get("CONTENT_LENGTH") in (None, "")
    return RequestBody(
        content_type=meta.get("CONTENT_TYPE", ""),
        content_length=meta.get("CONTENT_LENGTH"),
        transfer_encoding=meta.get("HTTP_TRANSFER_ENCODING", ""),
        terminated=bool(meta.get("wsgi.input_terminated")),
        stream=meta["wsgi.input"] if chunked else request,
    )


if TYPE_CHECKING:
    _ViewBase = APIView  # what the mixin is mixed into
else:
    _ViewBase = object


class DrainBodyMixin(_ViewBase):
    """Read what is left of the request body after the response has been sent (lingering close).

    An upload refused early (403, 409, 413, ...) leaves the client's bytes unread. Closing the
    socket on unread bytes makes the kernel send a reset that can destroy the response before the
    client reads it, and gunicorn does not announce that close. So once the response is out (in
    the response's ``close()``), the rest of the body is read and dropped, bounded in bytes and
    seconds (``SLUIS_UPLOAD_DRAIN_SECONDS``); the connection then stays usable. A response with
    ``Connection: close`` (no receive slot free) is not drained: its thread is freed at once.
    """

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.get("Connection", "").lower() == "close":
            return response  # refused without reading: the server closes the connection
        original_close = response.close

        def close():
            try:
                body_drain(request._request)
            finally:
                original_close()

        response.close = close
        return response


def body_drain(request) -> None:
    body = request_body(request)
    sock = request.META.get("gunicorn.socket")
    limit = Limits.from_settings().max_body_bytes
    deadline = time.monotonic() + settings.SLUIS_UPLOAD_DRAIN_SECONDS
    drained = 0
    try:
        while drained < limit and (left := deadline - time.monotonic()) > 0:
            if sock is not None:
                sock.settimeout(left)  # a silent client cannot hold the thread past the deadline
            chunk = body.stream.read(CHUNK)
            if not chunk:
                return
            drained += len(chunk)
    except Exception:  # best effort: the response has already been sent
        return


def idempotency_key(request) -> str:
    key = request.META.get("HTTP_IDEMPOTENCY_KEY", "")
    if key and not (len(key) <= 200 and key.isascii() and key.isprintable()):
        raise errors.InvalidIdempotencyKey()
    return key


def _created(request, receipt: Receipt, serializer_class=UploadReceiptSerializer) -> Response:
    data = serializer_class(receipt.upload, context={"request": request}).data
    path = reverse("upload-detail", args=[receipt.upload.pk])
    headers = {"Location": request.build_absolute_uri(path)}
    if receipt.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(data, status=201, headers=headers)


class UploadReceiveView(DrainBodyMixin, APIView):
    """Upload a new version of the data source of sync task ``id`` (multipart ``upload_file``)."""

    error_statuses = _RECEIVING_ERRORS

    @extend_schema(
        request=_UPLOAD_BODY, parameters=[_IDEMPOTENCY], responses={201: UploadReceiptSerializer}
    )
    def post(self, request, pk: int):
        receipt = upload_receive(
            user=request.user,
            sync_task_id=pk,
            body=request_body(request._request),
            idempotency_key=idempotency_key(request),
        )
        return _created(request, receipt)


class UploadDetailView(generics.RetrieveAPIView):
    """One upload: status, sizes, times, counts, the first errors and the error report link."""

    serializer_class = UploadSerializer

    def get_object(self):
        upload = upload_visible(user=self.request.user, pk=self.kwargs["pk"])
        if upload is None:
            raise errors.UploadNotFound()
        return upload


class UploadOriginalView(APIView):
    """The upload's original file: a redirect to a fresh temporary download link, or 410 once
    the original was purged (``original_purged``) or is missing (``original_missing``)."""

    error_statuses = (410,)

    @extend_schema(responses={302: OpenApiResponse(description="to a temporary download link")})
    def get(self, request, pk: int):
        upload = upload_visible(user=request.user, pk=pk)
        if upload is None:
            raise errors.UploadNotFound()
        upload_original_check(upload=upload)
        link = original_link(request, upload)
        if link is None:  # the check above found it stored
            raise errors.UploadNotFound()
        response = HttpResponseRedirect(link.url)
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response


class SyncTaskUploadListView(generics.ListAPIView):
    """The upload history of a sync task, newest first (paginated)."""

    serializer_class = UploadSerializer

    def get_queryset(self):
        user = self.request.user
        if sync_task_visible(user=user, pk=self.kwargs["pk"]) is None:
            raise SyncTaskNotFound()
        return uploads_visible(user=user).filter(sync_task_id=self.kwargs["pk"])


class LegacyUploadView(DrainBodyMixin, generics.GenericAPIView):
    """Legacy Nexus ``/uploads/``: GET the latest upload per data source (a plain list); POST a
    file with the form field ``datasource=<data source id>``."""

    serializer_class = LegacyUploadSerializer
    pagination_class = None
    error_statuses = {"POST": _RECEIVING_ERRORS}

    @extend_schema(operation_id="uploads_legacy_list", responses=LegacyUploadSerializer(many=True))
    def get(self, request):
        uploads = uploads_latest_per_data_source(user=request.user)
        return Response(self.get_serializer(uploads, many=True).data)

    @extend_schema(
        request=_LEGACY_BODY,
        parameters=[_DATASOURCE, _IDEMPOTENCY],
        responses={201: LegacyUploadSerializer},
        operation_id="uploads_legacy_create",
    )
    def post(self, request):
        receipt = upload_receive_legacy(
            user=request.user,
            body=request_body(request._request),
            datasource=request.GET.get("datasource"),
            idempotency_key=idempotency_key(request),
        )
        return _created(request, receipt, LegacyUploadSerializer)
