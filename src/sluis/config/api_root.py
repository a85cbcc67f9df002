"""``GET /api/v1/``: the API root, a JSON document linking every endpoint.

Collection endpoints are absolute links; per-object ones are URI templates (``{id}``). It needs
no token, like the sync task listing, so a newcomer's first ``curl`` shows where to go next.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

# (key, URL name, what it is); the names are the ones the apps' urls.py declare.
LINKS = [
    ("sync_tasks", "sync-task-list", "sync tasks you may see (?uploadable=true: upload here)"),
    ("uploads", "upload-legacy", "your uploads; POST a file here (legacy form)"),
    ("timeseries", "timeseries-list", "stored timeseries"),
    ("events", "event-list", "timeseries values (?timeseries_id=)"),
    ("features", "feature-list", "vector features"),
    ("wfs", "wfs", "vector features over WFS 2.0"),
    ("rasters", "raster-list", "raster frames"),
    ("files", "file-list", "stored files"),
    ("health", "health", "liveness"),
    ("ready", "ready", "readiness"),
    ("metrics", "metrics", "Prometheus metrics (scraper or staff)"),
    ("openapi", "openapi", "OpenAPI 3 schema"),
    ("docs", "api-docs", "interactive API documentation"),
]
TEMPLATES = [
    ("sync_task", "sync-task-detail", "one sync task"),
    ("upload", "upload-receive", "POST upload_file=@FILE: upload to a sync task"),
    ("sync_task_uploads", "sync-task-uploads", "a sync task's uploads"),
    ("upload_status", "upload-detail", "one upload's status"),
]


class ApiRootView(APIView):
    """Links to every endpoint; no authentication needed."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(tags=["operations"], responses={200: dict})
    def get(self, request):
        links = {key: request.build_absolute_uri(reverse(name)) for key, name, _ in LINKS}
        for key, name, _ in TEMPLATES:
            url = request.build_absolute_uri(reverse(name, kwargs={"pk": 0}))
            links[key] = url.replace("/0/", "/{id}/")
        described = {key: text for key, _, text in [*LINKS, *TEMPLATES]}
        return Response({"version": "1", "links": links, "descriptions": described})
