"""``/api/v1/wms/``: WMS 1.3.0 (and 1.1.1) over the raster data sources the caller may read.

GetCapabilities, GetMap (PNG), GetFeatureInfo (the pixel value) and GetLegendGraphic. ``TIME``
picks the frame at that time or the nearest earlier one; without it the latest frame is drawn.
Errors are Sluis's JSON errors (``{"detail", "code"}``), not WMS service exception XML.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from sluis.datastore.rasters.rendering import raster_legend_png, raster_map_png
from sluis.datastore.rasters.services import raster_value_at
from sluis.errors import InvalidParameter
from sluis.ogc import selectors, wms
from sluis.ogc.api.links import token_query
from sluis.ogc.api.negotiation import OgcNegotiation
from sluis.ogc.crs import point_to_lonlat
from sluis.ogc.errors import FrameNotFound, LayerNotFound, OperationNotSupported, UnsupportedCrs
from sluis.ogc.params import bbox_parse, instant_parse, layer_name, params_folded, whole


@extend_schema(
    parameters=[
        OpenApiParameter("service", OpenApiTypes.STR, enum=["WMS"]),
        OpenApiParameter("version", OpenApiTypes.STR, enum=["1.3.0", "1.1.1"]),
        OpenApiParameter(
            "request",
            OpenApiTypes.STR,
            enum=["GetCapabilities", "GetMap", "GetFeatureInfo", "GetLegendGraphic"],
        ),
        OpenApiParameter("layers", OpenApiTypes.STR, description="a layer alias or id"),
        OpenApiParameter("crs", OpenApiTypes.STR, enum=list(wms.MAP_CRSS)),
        OpenApiParameter("bbox", OpenApiTypes.STR),
        OpenApiParameter("width", OpenApiTypes.INT),
        OpenApiParameter("height", OpenApiTypes.INT),
        OpenApiParameter("time", OpenApiTypes.STR, description="ISO 8601; nearest earlier"),
        OpenApiParameter("dim_parameter", OpenApiTypes.STR, description="frame parameter"),
    ],
    responses={
        (200, "image/png"): OpenApiTypes.BINARY,  # GetMap, GetLegendGraphic
        (200, "text/xml"): OpenApiTypes.STR,  # GetCapabilities
        (200, "application/json"): OpenApiTypes.OBJECT,  # GetFeatureInfo
        (200, "text/plain"): OpenApiTypes.STR,  # GetFeatureInfo, info_format=text/plain
    },
)
class WmsView(APIView):
    content_negotiation_class = OgcNegotiation
    """Raster data sources as WMS layers named by alias, one TIME value per frame."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        params = params_folded(request.query_params)
        operation = params.get("request", "").lower()
        handler = {
            "getcapabilities": self.capabilities,
            "getmap": self.get_map,
            "getfeatureinfo": self.feature_info,
            "getlegendgraphic": self.legend,
        }.get(operation)
        if handler is None:
            raise OperationNotSupported(
                "'request' must be GetCapabilities, GetMap, GetFeatureInfo or GetLegendGraphic."
            )
        return handler(params)

    def capabilities(self, params: dict) -> HttpResponse:
        infos = []
        for layer in selectors.raster_layers_readable(user=self.request.user):
            bbox, times = selectors.raster_layer_summary(user=self.request.user, layer=layer)
            if bbox is not None:
                infos.append(
                    wms.LayerInfo(
                        alias=layer.alias,
                        title=layer.source.name,
                        abstract=layer.source.description,
                        bbox=bbox,
                        times=times,
                    )
                )
        body = wms.capabilities(
            url=self.service_url(), layers=infos, max_size=settings.SLUIS_RASTER_PREVIEW_MAX_SIZE
        )
        return HttpResponse(body, content_type="text/xml")

    def get_map(self, params: dict) -> HttpResponse:
        if params.get("format", wms.PNG).lower() != wms.PNG:
            raise InvalidParameter(f"'format' must be {wms.PNG}.")
        frame = self.frame(params, "layers")
        view = _map_view(params)
        png = raster_map_png(
            frame=frame,
            crs=view["crs"].rasterio_name,
            bounds=view["bounds"],
            width=view["width"],
            height=view["height"],
        )
        return HttpResponse(png, content_type=wms.PNG)

    def feature_info(self, params: dict) -> HttpResponse:
        frame = self.frame(params, "query_layers")
        view = _map_view(params)
        i_name, j_name = ("i", "j") if _version(params) == "1.3.0" else ("x", "y")
        col = whole(params.get(i_name), i_name, default=None, minimum=0)
        row = whole(params.get(j_name), j_name, default=None, minimum=0)
        if col >= view["width"] or row >= view["height"]:
            raise InvalidParameter(f"'{i_name}' and '{j_name}' must lie within the map.")
        minx, miny, maxx, maxy = view["bounds"]
        x = minx + (col + 0.5) * (maxx - minx) / view["width"]
        y = maxy - (row + 0.5) * (maxy - miny) / view["height"]
        lon, lat = point_to_lonlat(view["crs"].epsg, x, y)
        point = raster_value_at(frame=frame, lon=lon, lat=lat)
        return _info_response(params, frame, lon, lat, point.values)

    def legend(self, params: dict) -> HttpResponse:
        frame = self.frame(params, "layer")
        width = whole(params.get("width"), "width", default=80, minimum=20)
        height = whole(params.get("height"), "height", default=200, minimum=20)
        if max(width, height) > settings.SLUIS_RASTER_PREVIEW_MAX_SIZE:
            raise InvalidParameter("The legend is larger than SLUIS_RASTER_PREVIEW_MAX_SIZE.")
        return HttpResponse(
            raster_legend_png(frame=frame, width=width, height=height), content_type=wms.PNG
        )

    def frame(self, params: dict, name: str):
        raw = params.get(name) or (params.get("layers") if name == "layer" else "")
        names = [part for part in (raw or "").split(",") if part.strip()]
        if len(names) != 1:
            raise InvalidParameter(f"'{name}' must name one layer (its alias or id).")
        layer = selectors.layer_readable(
            user=self.request.user, kind="raster", name=layer_name(names[0], name)
        )
        if layer is None:
            raise LayerNotFound()
        when = params.get("time", "").strip()
        at = None if when in {"", "current"} else instant_parse(when, "time")
        frame = selectors.raster_frame_at(
            user=self.request.user, layer=layer, when=at, parameter=params.get("dim_parameter")
        )
        if frame is None:
            raise FrameNotFound()
        return frame

    def service_url(self) -> str:
        base = self.request.build_absolute_uri(reverse("wms"))
        token = token_query(self.request)
        return f"{base}?{urlencode(token)}" if token else base


def _version(params: dict) -> str:
    version = params.get("version", "1.3.0")
    if version not in {"1.3.0", "1.1.1"}:
        raise InvalidParameter(f"'version' must be 1.3.0 or 1.1.1, not {version!r}.")
    return version


def _map_view(params: dict) -> dict:
    version = _version(params)
    crs_name = params.get("crs" if version == "1.3.0" else "srs") or ""
    try:
        crs = wms.map_crs(crs_name, version)
    except wms.UnknownMapCrs:
        raise UnsupportedCrs(
            f"'crs' must be one of {', '.join(wms.MAP_CRSS)}, not {crs_name!r}."
        ) from None
    if not params.get("bbox"):
        raise InvalidParameter("'bbox' is required.")
    bounds = crs.x_first(bbox_parse(params["bbox"], "bbox"))
    if bounds[0] == bounds[2] or bounds[1] == bounds[3]:
        raise InvalidParameter("'bbox' must have an area.")
    limit = settings.SLUIS_RASTER_PREVIEW_MAX_SIZE
    width = whole(params.get("width"), "width", default=None, minimum=1)
    height = whole(params.get("height"), "height", default=None, minimum=1)
    if max(width, height) > limit:
        raise InvalidParameter(f"'width' and 'height' must be at most {limit}.")
    return {"crs": crs, "bounds": bounds, "width": width, "height": height}


def _info_response(params: dict, frame, lon: float, lat: float, values) -> HttpResponse:
    fmt = params.get("info_format", "application/json").lower()
    if fmt not in wms.INFO_FORMATS:
        raise InvalidParameter(f"'info_format' must be one of {', '.join(wms.INFO_FORMATS)}.")
    value = values[0] if values else None
    if fmt == "text/plain":
        return HttpResponse(f"value = {value}\n", content_type="text/plain; charset=utf-8")
    properties = {
        "layer": frame.data_source_id,
        "parameter": frame.parameter,
        "timestamp": wms.time_text(frame.timestamp),
        "value": value,
        "values": values,
    }
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }
    body = {"type": "FeatureCollection", "features": [feature]}
    return HttpResponse(json.dumps(body), content_type="application/json")
