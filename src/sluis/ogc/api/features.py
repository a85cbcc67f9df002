"""OGC API - Features at ``/api/v1/ogc/``: thin views over ``ogc.selectors`` and ``ogc.features``.

The landing page and the conformance declaration are public; collections and items need a token
and list only the vector data sources the caller may read (as ``/features/``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from sluis.errors import InvalidParameter
from sluis.ogc import features as documents
from sluis.ogc import selectors
from sluis.ogc.api.links import href_factory
from sluis.ogc.api.negotiation import OgcNegotiation
from sluis.ogc.crs import CRS84, bbox_to_crs84
from sluis.ogc.errors import CollectionNotFound, ItemNotFound
from sluis.ogc.params import bbox_parse, crs_param, datetime_interval, row_id, whole

LANDING = "ogc-landing"
_ITEM_PARAMS = {"f", "token", "crs"}
_ITEMS_PARAMS = _ITEM_PARAMS | {"limit", "offset", "bbox", "bbox-crs", "datetime"}
_TOKEN = OpenApiParameter("token", OpenApiTypes.STR, description="API token")
_CRS = OpenApiParameter("crs", OpenApiTypes.URI, description="CRS of the response (Part 2)")


class _OgcView(APIView):
    permission_classes = [AllowAny]  # the landing page and conformance hold no data
    content_negotiation_class = OgcNegotiation
    allowed: set[str] = {"f", "token"}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _check_params(request.GET, self.allowed)

    def href(self):
        return href_factory(self.request, LANDING)


class _DataView(_OgcView):
    permission_classes = [IsAuthenticated]

    def layer(self, collection_id: str) -> selectors.Layer:
        layer = None
        if collection_id.isdigit():
            layer = selectors.layer_readable(
                user=self.request.user, kind="vector", name=collection_id
            )
        if layer is None:
            raise CollectionNotFound()
        return layer


@extend_schema(parameters=[_TOKEN], responses={(200, "application/json"): OpenApiTypes.OBJECT})
class LandingView(_OgcView):
    """The OGC API landing page: links to the API definition, conformance and collections."""

    def get(self, request):
        body = documents.landing_page(
            href=self.href(),
            title="Sluis",
            openapi_url=request.build_absolute_uri(reverse("openapi")),
        )
        return JsonResponse(body)


@extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
class ConformanceView(_OgcView):
    """The conformance classes this API implements (each one exercised by the tests)."""

    def get(self, request):
        return JsonResponse(documents.conformance())


@extend_schema(parameters=[_TOKEN], responses={(200, "application/json"): OpenApiTypes.OBJECT})
class CollectionsView(_DataView):
    """One collection per vector data source the caller may read, with its extent."""

    def get(self, request):
        layers = selectors.vector_layers_readable(user=request.user)
        pairs = [(layer, selectors.layer_extent(layer=layer)) for layer in layers]
        return JsonResponse(documents.collections_document(href=self.href(), layers=pairs))


@extend_schema(parameters=[_TOKEN], responses={(200, "application/json"): OpenApiTypes.OBJECT})
class CollectionView(_DataView):
    def get(self, request, collection_id: str):
        layer = self.layer(collection_id)
        extent = selectors.layer_extent(layer=layer)
        body = documents.collection_document(href=self.href(), layer=layer, extent=extent)
        return JsonResponse(body)


@extend_schema(
    parameters=[
        OpenApiParameter("limit", OpenApiTypes.INT, description="features per page (10)"),
        OpenApiParameter("offset", OpenApiTypes.INT, description="features skipped"),
        OpenApiParameter("bbox", OpenApiTypes.STR, description="minx,miny,maxx,maxy"),
        OpenApiParameter("bbox-crs", OpenApiTypes.URI, description="CRS of bbox (CRS84)"),
        OpenApiParameter("datetime", OpenApiTypes.STR, description="instant or interval"),
        _CRS,
        _TOKEN,
    ],
    responses={(200, documents.GEOJSON): OpenApiTypes.OBJECT},
)
class ItemsView(_DataView):
    """A page of a collection's features, in CRS84 or the asked ``crs``."""

    allowed = _ITEMS_PARAMS

    def get(self, request, collection_id: str):
        layer = self.layer(collection_id)
        query = request.GET
        crs = crs_param(query.get("crs"), "crs")
        bbox = _bbox(query)
        start, end = _interval(layer, query.get("datetime"))
        limit = min(
            whole(query.get("limit"), "limit", default=10, minimum=1),
            settings.SLUIS_VECTOR_WFS_MAX_COUNT,
        )
        offset = whole(query.get("offset"), "offset", default=0, minimum=0)
        features = selectors.features_query(layer=layer, bbox=bbox, start=start, end=end)
        rows = list(features.values_list(*documents.FEATURE_FIELDS)[offset : offset + limit])
        page = documents.Page(rows=rows, offset=offset, limit=limit, matched=features.count())
        kept = {k: query[k] for k in ("crs", "bbox", "bbox-crs", "datetime") if query.get(k)}
        body = documents.items_document(
            href=self.href(), layer=layer, page=page, crs=crs, query=kept
        )
        return _geojson(body, crs)


@extend_schema(parameters=[_CRS, _TOKEN], responses={(200, documents.GEOJSON): OpenApiTypes.OBJECT})
class ItemView(_DataView):
    allowed = _ITEM_PARAMS

    def get(self, request, collection_id: str, feature_id: str):
        layer = self.layer(collection_id)
        crs = crs_param(request.GET.get("crs"), "crs")
        pk = row_id(feature_id)
        feature = selectors.feature_in_layer(layer=layer, pk=pk) if pk else None
        if feature is None:
            raise ItemNotFound()
        row = (feature.pk, feature.id_src, feature.geometry, feature.properties)
        body = documents.item_document(href=self.href(), layer=layer, row=row, crs=crs)
        return _geojson(body, crs)


def _geojson(body: str, crs) -> HttpResponse:
    response = HttpResponse(body, content_type=documents.GEOJSON)
    response["Content-Crs"] = f"<{crs.uri}>"
    return response


def _check_params(query, allowed: set[str]) -> None:
    unknown = sorted(set(query) - allowed)
    if unknown:
        raise InvalidParameter(f"Unknown query parameter {unknown[0]!r}.")
    if query.get("f", "json") not in {"json", "geojson"}:
        raise InvalidParameter(f"'f' must be json (the only encoding offered), not {query['f']!r}.")


def _bbox(query):
    if not query.get("bbox"):
        if query.get("bbox-crs"):
            raise InvalidParameter("'bbox-crs' needs a 'bbox'.")
        return None
    bbox = bbox_parse(query["bbox"], "bbox")
    crs = crs_param(query.get("bbox-crs"), "bbox-crs") if query.get("bbox-crs") else CRS84
    return bbox_to_crs84(bbox, crs)


def _interval(layer, raw):
    start, end = datetime_interval(raw)
    if (start or end) and not selectors.datetime_field(layer.source):
        raise InvalidParameter(
            "'datetime': this collection's features carry no time "
            "(the data source has no 'datetime_field' ingest setting)."
        )
    return start, end
