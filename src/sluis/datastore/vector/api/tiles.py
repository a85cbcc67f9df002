"""``/tiles/{data_source}/{z}/{x}/{y}.mvt`` and ``/tiles/{data_source}.json`` (TileJSON 3.0.0).

The same readers as ``/features/``: a token is required, private data sources only for their
organization (an unknown and an unreadable source are the same 404).
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from sluis.catalog.errors import DataSourceNotFound
from sluis.datastore.vector import selectors, tiles

MVT = "application/vnd.mapbox-vector-tile"


@extend_schema(responses={(200, MVT): OpenApiTypes.BINARY})
class VectorTileView(APIView):
    """One Mapbox Vector Tile (layer ``features``) of a vector data source; PostgreSQL only."""

    def get(self, request, data_source: int, z: int, x: int, y: int):
        source = _readable(request, data_source)
        tile = tiles.vector_tile(data_source=source, z=z, x=x, y=y)
        return HttpResponse(tile, content_type=MVT)


@extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
class TileJsonView(APIView):
    """The TileJSON 3.0.0 document of a vector data source's tiles; PostgreSQL only."""

    def get(self, request, data_source: int):
        source = _readable(request, data_source)
        info = tiles.vector_tileset_info(data_source=source)
        template = reverse("vector-tile", args=[source.pk, 0, 0, 0]).replace("/0/0/0.mvt", "")
        token = request.query_params.get("token")
        suffix = f"?token={token}" if token else ""
        url = request.build_absolute_uri(template) + "/{z}/{x}/{y}.mvt" + suffix
        document = {
            "tilejson": "3.0.0",
            "name": source.name,
            "description": source.description,
            "tiles": [url],
            "minzoom": 0,
            "maxzoom": tiles.MAX_ZOOM,
            "bounds": list(info.bounds) if info.bounds else [-180, -85.0511, 180, 85.0511],
            "vector_layers": [
                {"id": tiles.LAYER, "fields": {"id_src": "String"}, "minzoom": 0, "maxzoom": 22}
            ],
        }
        return JsonResponse(document)


def _readable(request, data_source: int):
    if not 0 < data_source < 2**63:  # beyond 64 bits no row can exist
        raise DataSourceNotFound()
    source = selectors.data_source_readable(user=request.user, pk=data_source)
    if source is None:
        raise DataSourceNotFound()
    return source
