"""Read-back of vector features: ``/features/`` (GeoJSON, paged) and ``/features/{id}/``.

The Nexus-style ``/wfs/`` is served by the OGC services app (``sluis.ogc.api.wfs``)."""

from __future__ import annotations

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
)
from sluis.datastore.vector.errors import FeatureNotFound
from sluis.errors import InvalidParameter
from sluis.params import query_bbox, query_id

GEOJSON = "application/geo+json"


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


def _readable_source(request, params, name: str):
    pk = query_id(params, name)
    if pk is None:
        raise InvalidParameter(f"'{name}' is required: the id of a vector data source.")
    source = selectors.data_source_readable(user=request.user, pk=pk)
    if source is None:
        raise DataSourceNotFound()
    return source
