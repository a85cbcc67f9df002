"""Read-back of vector features: ``/features/`` (GeoJSON, paged), ``/features/{id}/`` and a
Nexus-style ``/wfs/`` (GeoJSON or CSV with WFS paging parameters)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.views import APIView

from sluis.catalog.errors import DataSourceNotFound
from sluis.config.pagination import PageNumberPagination
from sluis.datastore.vector import selectors
from sluis.datastore.vector.api.serializers import (
    FIELDS,
    feature_collection_json,
    feature_json,
    features_csv,
)
from sluis.datastore.vector.errors import FeatureNotFound
from sluis.errors import InvalidParameter
from sluis.params import query_bbox, query_id, query_int

GEOJSON = "application/geo+json"
_WGS84_NAMES = {
    "epsg:4326",
    "crs84",
    "ogc:crs84",
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:epsg::4326",
    "http://www.opengis.net/def/crs/ogc/1.3/crs84",
}


@extend_schema(
    parameters=[
        OpenApiParameter("data_source", OpenApiTypes.INT, required=True),
        OpenApiParameter("bbox", OpenApiTypes.STR, description="minx,miny,maxx,maxy in WGS84"),
        OpenApiParameter("page", OpenApiTypes.INT),
        OpenApiParameter("page_size", OpenApiTypes.INT),
    ],
    responses={(200, GEOJSON): OpenApiTypes.OBJECT},
)
class FeatureListView(APIView):
    """The current features of one vector data source as a paged GeoJSON FeatureCollection."""

    def get(self, request):
        params = request.query_params
        source = _readable_source(request, params, "data_source")
        bbox = query_bbox(params, "bbox")
        rows = selectors.features_current(data_source=source, bbox=bbox).values_list(*FIELDS)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        body = feature_collection_json(
            page,
            source.pk,
            count=paginator.page.paginator.count if paginator.page else len(page or []),
            next=paginator.get_next_link(),
            previous=paginator.get_previous_link(),
        )
        return HttpResponse(body, content_type=GEOJSON)


@extend_schema(responses={(200, GEOJSON): OpenApiTypes.OBJECT})
class FeatureDetailView(APIView):
    """One current feature of a readable vector data source."""

    def get(self, request, pk: int):
        feature = selectors.feature_readable(user=request.user, pk=pk)
        if feature is None:
            raise FeatureNotFound()
        row = (feature.pk, feature.id_src, feature.geometry, feature.properties)
        return HttpResponse(feature_json(row, feature.version.data_source_id), content_type=GEOJSON)


@extend_schema(
    parameters=[
        OpenApiParameter("typenames", OpenApiTypes.INT, required=True, description="data source"),
        OpenApiParameter("outputformat", OpenApiTypes.STR, enum=["json", "csv"]),
        OpenApiParameter("bbox", OpenApiTypes.STR, description="minx,miny,maxx,maxy[,crs]"),
        OpenApiParameter("count", OpenApiTypes.INT),
        OpenApiParameter("startindex", OpenApiTypes.INT),
    ],
    responses={(200, GEOJSON): OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.STR},
)
class WfsView(APIView):
    """WFS GetFeature as Nexus serves it: parameter names are case-insensitive."""

    def get(self, request):
        params = {key.lower(): value for key, value in request.query_params.items()}
        if params.get("request", "GetFeature").lower() != "getfeature":
            raise InvalidParameter("Only request=GetFeature is supported.")
        typenames = "typename" if params.get("typename") and not params.get("typenames") else ""
        source = _readable_source(request, params, typenames or "typenames")
        bbox = query_bbox(params, "bbox", crs_names=_WGS84_NAMES)
        output = _output_format(params.get("outputformat", "json"))
        start = query_int(params, "startindex", default=0)
        limit = settings.SLUIS_VECTOR_WFS_MAX_COUNT
        count_name = "maxfeatures" if params.get("maxfeatures") and not params.get("count") else ""
        count = min(query_int(params, count_name or "count", default=limit, minimum=1), limit)
        features = selectors.features_current(data_source=source, bbox=bbox)
        rows = list(features.values_list(*FIELDS)[start : start + count])
        if output == "csv":
            return _csv_response(features_csv(rows), source.pk)
        body = feature_collection_json(
            rows, source.pk, numberMatched=features.count(), numberReturned=len(rows)
        )
        return HttpResponse(body, content_type=GEOJSON)


def _csv_response(text: str, source_id: int) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="features-{source_id}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _readable_source(request, params, name: str):
    pk = query_id(params, name)
    if pk is None:
        raise InvalidParameter(f"'{name}' is required: the id of a vector data source.")
    source = selectors.data_source_readable(user=request.user, pk=pk)
    if source is None:
        raise DataSourceNotFound()
    return source


def _output_format(raw: str) -> str:
    value = raw.lower()
    if value in {"json", "geojson", "application/json", GEOJSON}:
        return "json"
    if value in {"csv", "text/csv"}:
        return "csv"
    raise InvalidParameter(f"'outputformat' must be json or csv, not {raw!r}.")
