"""``GET /timeseries/`` (the series of readable data sources) and ``GET /events/`` (Nexus)."""

import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from sluis.datastore.timeseries.api.params import event_query
from sluis.datastore.timeseries.api.serializers import SeriesSerializer
from sluis.datastore.timeseries.selectors import (
    SORTS,
    events_csv,
    events_list,
    number_text,
    series_get_readable,
    series_readable,
)
from sluis.params import query_choice, query_id

_TOKEN = OpenApiParameter("token", OpenApiTypes.STR, description="API token")


@extend_schema(
    parameters=[
        OpenApiParameter("data_source", OpenApiTypes.INT, description="data source id"),
        OpenApiParameter("location", OpenApiTypes.STR, description="exact location"),
        OpenApiParameter("parameter", OpenApiTypes.STR, description="exact parameter"),
        _TOKEN,
    ]
)
class SeriesListView(generics.ListAPIView):
    """Series of the data sources the caller may read, with event count and time span."""

    serializer_class = SeriesSerializer

    def get_queryset(self):
        series = series_readable(user=self.request.user).order_by("id")
        params = self.request.query_params
        source = query_id(params, "data_source")
        if source is not None:
            series = series.filter(data_source_id=source)
        for name in ("location", "parameter"):
            if params.get(name):
                series = series.filter(**{name: params[name]})
        return series


@extend_schema(
    parameters=[
        OpenApiParameter("timeseries_id", OpenApiTypes.INT, required=True),
        OpenApiParameter("range", OpenApiTypes.STR, description="<start>/<end>, e.g. -P3M/+P0M"),
        OpenApiParameter("count", OpenApiTypes.INT, description="default 100000"),
        OpenApiParameter("startindex", OpenApiTypes.INT, description="default 0"),
        OpenApiParameter("sortby", OpenApiTypes.STR, enum=list(SORTS)),
        OpenApiParameter("view", OpenApiTypes.STR, enum=["raw", "reduced"]),
        OpenApiParameter("bucket_interval", OpenApiTypes.STR, description="e.g. PT1H"),
        OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "json"]),
        _TOKEN,
    ],
    responses={
        (200, "text/csv"): OpenApiTypes.STR,
        (200, "application/json"): {
            "type": "array",
            "description": "with format=json",
            "items": {
                "type": "object",
                "properties": {
                    "timestamp": {"type": "string", "format": "date-time"},
                    "value": {"type": "number", "nullable": True},
                    "flag": {"type": "string"},
                },
                "required": ["timestamp", "value", "flag"],
            },
        },
    },
)
class EventListView(APIView):
    """Events of one series as CSV ``timestamp,value`` (or JSON), streamed."""

    renderer_classes = [JSONRenderer]  # for errors; events stream CSV/JSON themselves

    def perform_content_negotiation(self, request, force=False):
        # ``format`` is the Nexus output parameter here, not DRF's renderer override.
        return (JSONRenderer(), JSONRenderer.media_type)

    def get(self, request):
        params = request.query_params
        series_id = query_id(params, "timeseries_id", required=True)
        output = query_choice(params, "format", ("csv", "json"), default="csv")
        query = event_query(params)
        series = series_get_readable(user=request.user, series_id=series_id)
        if output == "json":
            events = events_list(series=series, query=query)
            return StreamingHttpResponse(_json(events), content_type="application/json")
        response = StreamingHttpResponse(
            _csv(series, query), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'inline; filename="events-{series.pk}.csv"'
        return response


def _csv(series, query) -> Iterator[bytes]:
    yield b"timestamp,value\n"
    if query.bucket is None:
        yield from events_csv(series=series, query=query)
        return
    lines = [
        f"{_nexus_time(moment)},{number_text(value)}\n"
        for moment, value, _flag in events_list(series=series, query=query)
    ]
    yield "".join(lines).encode()


def _nexus_time(moment: datetime) -> str:
    """``2025-10-21 00:00:00+00``: PostgreSQL's text of a UTC ``timestamptz``."""
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return f"{text}+00"


def _json(events: Iterable[tuple]) -> Iterator[bytes]:
    yield b"["
    items: list[str] = []
    first = True
    for moment, value, flag in events:
        stamp = moment.isoformat().replace("+00:00", "Z")
        items.append(json.dumps({"timestamp": stamp, "value": value, "flag": flag}))
        if len(items) >= 5_000:
            yield (("" if first else ",") + ",".join(items)).encode()
            items, first = [], False
    if items:
        yield (("" if first else ",") + ",".join(items)).encode()
    yield b"]"
