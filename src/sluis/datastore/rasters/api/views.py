"""The raster read-back API: thin views over the selectors and services."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from sluis.datastore.rasters import selectors, services
from sluis.datastore.rasters.api.serializers import (
    RasterFrameDetailSerializer,
    RasterFrameSerializer,
)
from sluis.datastore.rasters.errors import TooManyFrames
from sluis.params import query_datetime, query_id, query_int, query_number
from sluis.text import datetime_text
from sluis.uploads.links import download_link

_TOKEN = OpenApiParameter("token", OpenApiTypes.STR, description="API token")
_RANGE = [
    OpenApiParameter("start", OpenApiTypes.DATETIME, description="timestamp >= start"),
    OpenApiParameter("end", OpenApiTypes.DATETIME, description="timestamp <= end"),
    OpenApiParameter("parameter", OpenApiTypes.STR),
]
_POINT = [
    OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True, description="WGS84 longitude"),
    OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="WGS84 latitude"),
]


class _RasterView(APIView):
    def frame(self):
        return selectors.raster_frame_get(user=self.request.user, frame_id=self.kwargs["pk"])


@extend_schema(parameters=[OpenApiParameter("data_source", OpenApiTypes.INT), *_RANGE, _TOKEN])
class RasterListView(generics.ListAPIView):
    """Raster frames the caller may read, by data source and timestamp."""

    serializer_class = RasterFrameSerializer

    def get_queryset(self):
        query = self.request.query_params
        return selectors.raster_frames_filter(
            selectors.raster_frames_readable(user=self.request.user),
            data_source_id=query_id(query, "data_source"),
            parameter=query.get("parameter"),
            start=query_datetime(query, "start"),
            end=query_datetime(query, "end"),
        )


@extend_schema(parameters=[_TOKEN], responses=RasterFrameDetailSerializer)
class RasterDetailView(_RasterView):
    def get(self, request, pk: int):
        frame = self.frame()
        return Response(RasterFrameDetailSerializer(frame, context={"request": request}).data)


@extend_schema(parameters=[_TOKEN], responses={302: OpenApiResponse(description="signed link")})
class RasterDownloadView(_RasterView):
    """Redirects to a signed, expiring link to the frame's Cloud Optimized GeoTIFF."""

    def get(self, request, pk: int):
        frame = self.frame()
        stamp = frame.timestamp.strftime("%Y%m%dT%H%M%SZ")
        name = f"{slugify(frame.data_source.name) or 'raster'}_{frame.parameter}_{stamp}.tif"
        link = download_link(
            request=request,
            key=frame.storage_key,
            filename=name,
            content_type=services.COG_CONTENT_TYPE,
        )
        return HttpResponseRedirect(link.url)


@extend_schema(parameters=[*_POINT, _TOKEN], responses=OpenApiTypes.OBJECT)
class RasterValueView(_RasterView):
    """Pixel values of every band at a WGS84 point; null outside the raster or on nodata."""

    def get(self, request, pk: int):
        lon, lat = _point(request)
        frame = self.frame()
        point = services.raster_value_at(frame=frame, lon=lon, lat=lat)
        return Response(_value_body(frame, point) | {"lon": lon, "lat": lat, "crs": frame.crs})


@extend_schema(
    parameters=[
        OpenApiParameter("width", OpenApiTypes.INT, description="pixels, default 256"),
        OpenApiParameter("band", OpenApiTypes.INT, description="1-based, default 1"),
        _TOKEN,
    ],
    responses={(200, "image/png"): OpenApiTypes.BINARY},
)
class RasterPreviewView(_RasterView):
    """A viridis PNG of one band (stretched over its min..max), nodata transparent."""

    def get(self, request, pk: int):
        max_size = settings.SLUIS_RASTER_PREVIEW_MAX_SIZE
        query = request.query_params
        width = query_int(query, "width", default=256, minimum=1, maximum=max_size)
        frame = self.frame()
        band = query_int(query, "band", default=1, minimum=1, maximum=frame.bands)
        png = services.raster_preview_png(frame=frame, width=width, band=band, max_size=max_size)
        response = HttpResponse(png, content_type="image/png")
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        return response


@extend_schema(
    parameters=[
        OpenApiParameter("data_source", OpenApiTypes.INT, required=True),
        *_POINT,
        *_RANGE,
        _TOKEN,
    ],
    responses=OpenApiTypes.OBJECT,
)
class RasterValuesView(APIView):
    """The values at one point across the frames of a data source: a timeseries."""

    def get(self, request):
        query = request.query_params
        source_id = query_id(query, "data_source", required=True)
        lon, lat = _point(request)
        selectors.raster_source_check(user=request.user, data_source_id=source_id)
        frames = selectors.raster_frames_filter(
            selectors.raster_frames_readable(user=request.user),
            data_source_id=source_id,
            parameter=query.get("parameter"),
            start=query_datetime(query, "start"),
            end=query_datetime(query, "end"),
        )
        limit = settings.SLUIS_RASTER_VALUES_MAX_FRAMES
        selected = list(frames[: limit + 1])
        if len(selected) > limit:
            raise TooManyFrames(
                f"More than {limit} frames match; narrow the range with start and end.",
                max_frames=limit,
            )
        results = [
            _value_body(f, services.raster_value_at(frame=f, lon=lon, lat=lat)) for f in selected
        ]
        body = {"data_source": source_id, "lon": lon, "lat": lat, "count": len(results)}
        return Response(body | {"results": results})


def _point(request) -> tuple[float, float]:
    query = request.query_params
    return query_number(query, "lon", limit=180.0), query_number(query, "lat", limit=90.0)


def _value_body(frame, point: services.PointValue) -> dict:
    values = point.values
    return {
        "id": frame.pk,
        "timestamp": datetime_text(frame.timestamp),
        "parameter": frame.parameter,
        "value": values[0] if values else None,
        "values": values,
        "row": point.row,
        "col": point.col,
    }
