"""``GET /data_sources/``: Nexus's data source listing.

It lives in the uploads app, not the catalog, because two of its fields come from here:
``endpoint`` (the upload URL) and ``harvest_last_success`` (the newest successful upload), and
the catalog never imports the uploads app (the layer contract in pyproject.toml).
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from sluis.catalog.api.filters import filter_data_sources
from sluis.catalog.models import DataSource
from sluis.catalog.selectors import data_sources_visible, data_sources_with_upload_task
from sluis.config.serializers import ModelSerializer
from sluis.uploads.selectors import data_sources_with_last_success


class DataSourceSerializer(ModelSerializer):
    """A data source as Nexus lists it, plus ``id`` and ``kind``.

    ``endpoint`` is where data enters: the upload URL of the source's sync task (``null`` when
    it takes no uploads). ``harvest_last_success`` is when its newest successful upload
    finished processing.
    """

    owner = serializers.CharField(source="owner.name")
    endpoint = serializers.SerializerMethodField()
    harvest_last_success = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = DataSource
        fields = [
            "id",
            "name",
            "owner",
            "description",
            "private",
            "uploadable",
            "kind",
            "endpoint",
            "harvest_last_success",
        ]

    def get_endpoint(self, source: DataSource) -> str | None:
        task_id = getattr(source, "upload_task_id", None)
        if not source.uploadable or task_id is None:
            return None
        path = reverse("upload-receive", kwargs={"pk": task_id})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


@extend_schema(
    parameters=[
        OpenApiParameter("dc_id", OpenApiTypes.STR, description="comma list of data source ids"),
        OpenApiParameter("token", OpenApiTypes.STR, description="API token"),
    ]
)
class DataSourceListView(generics.ListAPIView):
    """Data sources visible to the caller (Nexus's listing); anonymous callers see public ones."""

    permission_classes = [AllowAny]
    serializer_class = DataSourceSerializer

    def get_queryset(self):
        user = self.request.user
        sources = filter_data_sources(
            data_sources_visible(user=user),
            self.request.GET,
            authenticated=user.is_authenticated,
        )
        return data_sources_with_last_success(data_sources_with_upload_task(sources))
