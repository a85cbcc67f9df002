"""``/api/v1/wfs/``: WFS 2.0.0 and 1.1.0 (GetCapabilities, DescribeFeatureType, GetFeature).

Also the Nexus-style requests of before: no ``service``/``request`` means GetFeature, and
``typenames`` may be the data source id. Parameter names are case-insensitive. Errors are
Sluis's JSON errors (``{"detail", "code"}``), not OWS exception reports.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import shapely
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from sluis.datastore.vector.api.serializers import feature_collection_json, features_csv
from sluis.errors import InvalidParameter
from sluis.ogc import gml, selectors, wfs
from sluis.ogc.api.links import token_query
from sluis.ogc.api.negotiation import OgcNegotiation
from sluis.ogc.crs import (
    CRS84,
    EPSG_4326,
    FEATURE_CRSS,
    Crs,
    bbox_to_crs84,
    geojson_in,
    geometry_transform,
)
from sluis.ogc.errors import CollectionNotFound, OperationNotSupported
from sluis.ogc.params import (
    bbox_parse,
    crs_param,
    layer_name,
    numbers,
    params_folded,
    row_id,
    whole,
)
from sluis.ogc.selectors import Layer

_UNSUPPORTED = ("filter", "cql_filter", "sortby", "storedquery_id")
_FIELDS = ("id", "id_src", "geometry", "properties")


@extend_schema(
    parameters=[
        OpenApiParameter("service", OpenApiTypes.STR, enum=["WFS"]),
        OpenApiParameter("version", OpenApiTypes.STR, enum=["2.0.0", "1.1.0"]),
        OpenApiParameter(
            "request",
            OpenApiTypes.STR,
            enum=["GetCapabilities", "DescribeFeatureType", "GetFeature"],
        ),
        OpenApiParameter("typenames", OpenApiTypes.STR, description="sluis:<alias>, alias or id"),
        OpenApiParameter("outputformat", OpenApiTypes.STR, description="gml3 (default), json, csv"),
        OpenApiParameter("bbox", OpenApiTypes.STR, description="minx,miny,maxx,maxy[,crs]"),
        OpenApiParameter("count", OpenApiTypes.INT),
        OpenApiParameter("startindex", OpenApiTypes.INT),
        OpenApiParameter("featureid", OpenApiTypes.STR, description="comma list of feature ids"),
        OpenApiParameter("propertyname", OpenApiTypes.STR, description="comma list"),
        OpenApiParameter("srsname", OpenApiTypes.STR, description="EPSG:4326, EPSG:28992, ..."),
        OpenApiParameter("resulttype", OpenApiTypes.STR, enum=["results", "hits"]),
    ],
    responses={
        (200, "application/gml+xml"): OpenApiTypes.STR,  # GetFeature, GML 3.2 (WFS 2.0)
        (200, "text/xml"): OpenApiTypes.STR,  # GetFeature, GML 3.1.1 (WFS 1.1)
        (200, "application/xml"): OpenApiTypes.STR,  # GetCapabilities, DescribeFeatureType
        (200, "application/geo+json"): OpenApiTypes.OBJECT,
        (200, "text/csv"): OpenApiTypes.STR,
    },
)
class WfsView(APIView):
    content_negotiation_class = OgcNegotiation
    """The vector data sources the caller may read, as WFS feature types ``sluis:<alias>``."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        params = params_folded(request.query_params)
        flavour = _flavour(params)
        operation = params.get("request", "GetFeature").lower()
        if operation == "getcapabilities":
            return self.capabilities(flavour)
        if operation == "describefeaturetype":
            return self.describe(params, flavour)
        if operation == "getfeature":
            return self.get_feature(params, flavour)
        raise OperationNotSupported(
            "'request' must be GetCapabilities, DescribeFeatureType or GetFeature."
        )

    def capabilities(self, flavour: gml.Flavour) -> HttpResponse:
        layers = selectors.vector_layers_readable(user=self.request.user)
        types = [
            wfs.FeatureTypeInfo(
                alias=layer.alias,
                title=layer.source.name,
                abstract=layer.source.description,
                bbox=selectors.layer_extent(layer=layer).bbox,
            )
            for layer in layers
        ]
        body = wfs.capabilities(
            flavour=flavour,
            url=self.service_url(),
            types=types,
            max_count=settings.SLUIS_VECTOR_WFS_MAX_COUNT,
        )
        return HttpResponse(body, content_type="application/xml")

    def describe(self, params: dict, flavour: gml.Flavour) -> HttpResponse:
        names = _type_names(params, required=False)
        user = self.request.user
        if names:
            layers = [_layer(user, name) for name in names]
        else:
            layers = selectors.vector_layers_readable(user=user)
        types = [
            (layer.alias, selectors.layer_field_types(layer=layer, infer=wfs.field_types))
            for layer in layers
        ]
        body = wfs.describe_feature_type(flavour=flavour, types=types)
        return HttpResponse(body, content_type="application/xml")

    def get_feature(self, params: dict, flavour: gml.Flavour) -> HttpResponse:
        query = _feature_query(params)
        names = _type_names(params, required=True)
        if len(names) > 1:
            raise InvalidParameter("'typenames' must name one feature type per request.")
        layer = _layer(self.request.user, names[0])
        output = _output_format(params.get("outputformat"))
        crs = query["srs"] or (EPSG_4326 if output == "gml" else CRS84)
        features = selectors.features_query(layer=layer, bbox=query["bbox"])
        if query["ids"] is not None:
            features = features.filter(pk__in=query["ids"])
        hits = params.get("resulttype", "results").lower() == "hits"
        start, count = query["start"], query["count"]
        rows = [] if hits else list(features.values_list(*_FIELDS)[start : start + count])
        matched = features.count()
        if output == "gml":
            return self.gml_response(flavour, layer, rows, matched, crs, query["properties"], hits)
        rows = [_row_out(row, crs, query["properties"]) for row in rows]
        if output == "csv":
            return _csv_response(features_csv(rows), layer.pk)
        body = feature_collection_json(
            rows, layer.pk, numberMatched=matched, numberReturned=len(rows)
        )
        if not crs.is_crs84:
            body = body[:-1] + f',"crs":{{"type":"name","properties":{{"name":"{crs.urn}"}}}}}}'
        return HttpResponse(body, content_type="application/geo+json")

    def gml_response(self, flavour, layer: Layer, rows, matched: int, crs: Crs, wanted, hits):
        schema_url = self.service_url(
            service="WFS",
            version=flavour.version,
            request="DescribeFeatureType",
            typenames=f"{gml.PREFIX}:{layer.alias}",
        )
        head = gml.collection_head(
            flavour=flavour,
            matched=matched,
            returned=len(rows),
            timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            schema_url=schema_url,
            hits=hits,
        )
        srs_name = _srs_name(crs)
        features = (_gml_feature(row, crs, wanted) for row in rows)
        body = "".join(
            gml.feature_collection(
                flavour=flavour,
                type_name=layer.alias,
                srs_name=srs_name,
                features=features,
                head=head,
            )
        )
        return HttpResponse(body, content_type=wfs.gml_mime(flavour))

    def service_url(self, **query) -> str:
        base = self.request.build_absolute_uri(reverse("wfs"))
        pairs = {**query, **token_query(self.request)}
        return f"{base}?{urlencode(pairs)}" if pairs else base


def _flavour(params: dict) -> gml.Flavour:
    version = params.get("version") or params.get("acceptversions", "2.0.0").split(",")[0]
    if version.startswith("2.0"):
        return gml.WFS_2
    if version == "1.1.0":
        return gml.WFS_1_1
    raise InvalidParameter(f"'version' must be 2.0.0 or 1.1.0, not {version!r}.")


def _type_names(params: dict, *, required: bool) -> list[str]:
    raw = params.get("typenames") or params.get("typename") or ""
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if required and not names:
        raise InvalidParameter("'typenames' is required: sluis:<alias>, the alias, or the id.")
    return names


def _layer(user, name: str) -> Layer:
    layer = selectors.layer_readable(user=user, kind="vector", name=layer_name(name, "typenames"))
    if layer is None:
        raise CollectionNotFound(
            f"No vector data source {name!r} is readable by you (use sluis:<alias> or the id)."
        )
    return layer


def _feature_query(params: dict) -> dict:
    for name in _UNSUPPORTED:
        if params.get(name):
            raise OperationNotSupported(f"'{name}' is not supported by this WFS.")
    limit = settings.SLUIS_VECTOR_WFS_MAX_COUNT
    count = params.get("count") or params.get("maxfeatures")
    srs = params.get("srsname")
    return {
        "bbox": _bbox(params.get("bbox")),
        "count": min(whole(count, "count", default=limit, minimum=1), limit),
        "start": whole(params.get("startindex"), "startindex", default=0, minimum=0),
        "ids": _feature_ids(params.get("featureid") or params.get("resourceid")),
        "properties": _property_names(params.get("propertyname")),
        "srs": crs_param(srs, "srsname", offered=FEATURE_CRSS) if srs else None,
    }


def _bbox(raw: str | None):
    """``minx,miny,maxx,maxy[,crs]``: without a CRS longitude/latitude (as Nexus reads it)."""
    if not raw:
        return None
    parts = raw.split(",")
    crs = CRS84
    if len(parts) == 5:
        crs = crs_param(parts.pop(), "bbox", offered=FEATURE_CRSS)
        numbers(",".join(parts), "bbox", 4)
    return bbox_to_crs84(bbox_parse(",".join(parts), "bbox"), crs)


def _feature_ids(raw: str | None) -> list[int] | None:
    if not raw:
        return None
    ids = []
    for part in raw.split(","):
        pk = row_id(part.strip().rsplit(".", 1)[-1])
        if pk is None:
            raise InvalidParameter(f"'featureid' must list <alias>.<id> or ids, not {part!r}.")
        ids.append(pk)
    return ids


def _property_names(raw: str | None) -> set[str] | None:
    if not raw:
        return None
    return {part.strip().rsplit(":", 1)[-1] for part in raw.split(",") if part.strip()}


def _output_format(raw: str | None) -> str:
    if raw is None:
        return "gml"
    value = wfs.OUTPUT_FORMATS.get(" ".join(raw.lower().replace(";", "; ").split()))
    if value is None:
        raise InvalidParameter(f"'outputformat' must be gml3, json or csv, not {raw!r}.")
    return value


def _srs_name(crs: Crs) -> str:
    if crs.lat_first:
        return crs.short_urn
    return "urn:ogc:def:crs:OGC:1.3:CRS84" if crs.epsg is None else f"EPSG:{crs.epsg}"


def _kept(properties: dict, wanted: set[str] | None) -> dict:
    if wanted is None:
        return properties
    return {k: v for k, v in properties.items() if k in wanted or gml.xml_name(k) in wanted}


def _row_out(row, crs: Crs, wanted: set[str] | None):
    pk, id_src, geometry, properties = row
    if wanted is not None:
        properties = json.dumps(_kept(json.loads(properties), wanted), ensure_ascii=False)
        geometry = geometry if "geometry" in wanted else None
    return (pk, id_src, None if geometry is None else geojson_in(geometry, crs), properties)


def _gml_feature(row, crs: Crs, wanted: set[str] | None) -> gml.GmlFeature:
    pk, id_src, geometry, properties = row
    shape = None
    if geometry and (wanted is None or "geometry" in wanted):
        shape = geometry_transform(shapely.from_geojson(geometry), crs)
    return gml.GmlFeature(
        pk=pk, id_src=id_src, geometry=shape, properties=_kept(json.loads(properties), wanted)
    )


def _csv_response(text: str, source_id: int) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="features-{source_id}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
