"""Upload endpoints. Thin: validate the request's framing, call one service, serialise."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from sluis.accounts.errors import NotAuthenticated
from sluis.catalog.errors import SyncTaskNotFound
from sluis.catalog.selectors import sync_tasks_visible
from sluis.uploads import errors
from sluis.uploads.api.serializers import (
    LegacyUploadSerializer,
    UploadReceiptSerializer,
    UploadSerializer,
)
from sluis.uploads.receiving import RequestBody
from sluis.uploads.selectors import uploads_latest_per_data_source, uploads_visible
from sluis.uploads.services import Receipt, upload_receive, upload_receive_legacy

_UPLOAD_BODY = {
    "multipart/form-data": {
        "type": "object",
        "properties": {"upload_file": {"type": "string", "format": "binary"}},
        "required": ["upload_file"],
    }
}
_IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="a retry with the same key and bytes replays the first 201",
)


def request_body(request) -> RequestBody:
    """The framing of a Django request; chunked bodies are read from the server's stream."""
    meta = request.META
    chunked = meta.get("CONTENT_LENGTH") in (None, "")
    return RequestBody(
        content_type=meta.get("CONTENT_TYPE", ""),
        content_length=meta.get("CONTENT_LENGTH"),
        transfer_encoding=meta.get("HTTP_TRANSFER_ENCODING", ""),
        terminated=bool(meta.get("wsgi.input_terminated")),
        stream=meta["wsgi.input"] if chunked else request,
    )


def idempotency_key(request) -> str:
    key = request.META.get("HTTP_IDEMPOTENCY_KEY", "")
    if key and not (len(key) <= 200 and key.isascii() and key.isprintable()):
        raise errors.InvalidIdempotencyKey()
    return key


def _authenticated(request) -> None:
    if not request.user.is_authenticated:
        raise NotAuthenticated()


def _created(request, receipt: Receipt, serializer_class=UploadReceiptSerializer) -> Response:
    data = serializer_class(receipt.upload, context={"request": request}).data
    headers = {"Location": request.build_absolute_uri(f"/api/v1/uploads/{receipt.upload.pk}/")}
    if receipt.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(data, status=201, headers=headers)


class UploadReceiveView(APIView):
    """Upload a new version of the data source of sync task ``id`` (multipart ``upload_file``)."""

    @extend_schema(
        request=_UPLOAD_BODY,
        parameters=[_IDEMPOTENCY],
        responses={201: UploadReceiptSerializer, 409: OpenApiResponse(description="busy")},
    )
    def post(self, request, pk: int):
        _authenticated(request)
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
        _authenticated(self.request)
        upload = uploads_visible(user=self.request.user).filter(pk=self.kwargs["pk"]).first()
        if upload is None:
            raise errors.UploadNotFound()
        return upload


class SyncTaskUploadListView(generics.ListAPIView):
    """The upload history of a sync task, newest first (paginated)."""

    serializer_class = UploadSerializer

    def get_queryset(self):
        _authenticated(self.request)
        user = self.request.user
        if not sync_tasks_visible(user=user).filter(pk=self.kwargs["pk"]).exists():
            raise SyncTaskNotFound()
        return uploads_visible(user=user).filter(sync_task_id=self.kwargs["pk"])


class LegacyUploadView(generics.GenericAPIView):
    """Legacy Nexus ``/uploads/``: GET the latest upload per data source (a plain list); POST a
    file with the form field ``datasource=<data source id>``."""

    serializer_class = LegacyUploadSerializer
    pagination_class = None

    def get(self, request):
        _authenticated(request)
        uploads = uploads_latest_per_data_source(user=request.user)
        return Response(self.get_serializer(uploads, many=True).data)

    @extend_schema(request=_UPLOAD_BODY, parameters=[_IDEMPOTENCY])
    def post(self, request):
        _authenticated(request)
        receipt = upload_receive_legacy(
            user=request.user,
            body=request_body(request._request),
            datasource=request.GET.get("datasource"),
            idempotency_key=idempotency_key(request),
        )
        return _created(request, receipt, LegacyUploadSerializer)
