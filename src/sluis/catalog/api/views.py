from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny

from sluis.catalog.api.filters import filter_sync_tasks
from sluis.catalog.api.serializers import SyncTaskDetailSerializer, SyncTaskSerializer
from sluis.catalog.errors import SyncTaskNotFound
from sluis.catalog.selectors import sync_task_visible, sync_tasks_visible

_LIST_PARAMS = [
    OpenApiParameter("uploadable", OpenApiTypes.BOOL, description="only tasks accepting uploads"),
    OpenApiParameter("private", OpenApiTypes.BOOL),
    OpenApiParameter(
        "task_type", OpenApiTypes.STR, enum=["data_source", "calculation", "scenario"]
    ),
    OpenApiParameter("search", OpenApiTypes.STR, description="case-insensitive, name/description"),
    OpenApiParameter("dc_id", OpenApiTypes.STR, description="comma list of data source ids"),
    OpenApiParameter("token", OpenApiTypes.STR, description="API token"),
]


@extend_schema(parameters=_LIST_PARAMS)
class SyncTaskListView(generics.ListAPIView):
    """Sync tasks visible to the caller; anonymous callers see public tasks only."""

    serializer_class = SyncTaskSerializer
    permission_classes = [AllowAny]  # anonymous callers see the public tasks

    def get_queryset(self):
        return filter_sync_tasks(sync_tasks_visible(user=self.request.user), self.request.GET)


class SyncTaskDetailView(generics.RetrieveAPIView):
    serializer_class = SyncTaskDetailSerializer
    permission_classes = [AllowAny]

    def get_object(self):
        task = sync_task_visible(user=self.request.user, pk=self.kwargs["pk"])
        if task is None:
            raise SyncTaskNotFound()
        return task
