from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from ..errors import StoredFileNotFound
from ..selectors import files_filter, files_readable
from .filters import file_filters
from .serializers import StoredFileSerializer

_LIST_PARAMS = [
    OpenApiParameter("data_source", OpenApiTypes.INT, description="one data source id"),
    OpenApiParameter("name", OpenApiTypes.STR, description="one file, by (sanitised) name"),
    OpenApiParameter("start", OpenApiTypes.DATETIME, description="timestamp >= start (ISO 8601)"),
    OpenApiParameter("end", OpenApiTypes.DATETIME, description="timestamp <= end (ISO 8601)"),
    OpenApiParameter(
        "bbox", OpenApiTypes.STR, description="min_lon,min_lat,max_lon,max_lat (WGS84)"
    ),
    OpenApiParameter("token", OpenApiTypes.STR, description="API token"),
]


@extend_schema(parameters=_LIST_PARAMS)
class StoredFileListView(generics.ListAPIView):
    """Stored files of the data sources the caller may read, oldest timestamp first."""

    serializer_class = StoredFileSerializer

    def get_queryset(self):
        user = self.request.user
        filters = file_filters(self.request.query_params)
        return files_filter(files_readable(user=user), user=user, **filters)


class StoredFileDetailView(generics.RetrieveAPIView):
    serializer_class = StoredFileSerializer

    def get_object(self):
        found = files_readable(user=self.request.user).filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise StoredFileNotFound()
        return found
