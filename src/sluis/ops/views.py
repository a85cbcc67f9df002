"""Thin views over ``readiness`` and ``metrics``; none of them touches a session or CSRF."""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from sluis.ops.authentication import METRICS_AUTHENTICATION, IsScraperOrStaff
from sluis.ops.metrics import CONTENT_TYPE, metrics_render
from sluis.ops.readiness import readiness_require


class HealthView(APIView):
    """Liveness: the process answers. Checks nothing else, so a database outage never gets
    healthy web processes restarted."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(tags=["operations"], responses={200: dict})
    def get(self, request):
        return Response({"status": "ok"}, headers={"Cache-Control": "no-store"})


class ReadyView(APIView):
    """Readiness: 200 with per-check results, or 503 ``not_ready`` naming the failing checks."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(tags=["operations"], responses={200: dict, 503: dict})
    def get(self, request):
        checks = readiness_require()
        return Response(
            {"status": "ready", "checks": checks}, headers={"Cache-Control": "no-store"}
        )


class MetricsView(APIView):
    """Prometheus text exposition, computed from the database at scrape time."""

    authentication_classes = METRICS_AUTHENTICATION
    permission_classes = [IsScraperOrStaff]

    @extend_schema(tags=["operations"], responses={200: str})
    def get(self, request):
        response = HttpResponse(metrics_render(), content_type=CONTENT_TYPE)
        response["Cache-Control"] = "no-store"
        return response
