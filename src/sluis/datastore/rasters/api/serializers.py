import math

from django.urls import reverse
from rest_framework import serializers

from sluis.datastore.rasters.models import RasterFrame


def nodata_json(frame: RasterFrame) -> float | str | None:
    """A number, ``"NaN"`` (JSON has no NaN) or null."""
    value = frame.nodata_value
    if value is None:
        return None
    return "NaN" if math.isnan(value) else value


def finite_json(value):
    """``value`` with every NaN or infinite float replaced by null: JSON has neither."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [finite_json(item) for item in value]
    return value


class RasterFrameSerializer(serializers.ModelSerializer):
    data_source = serializers.SerializerMethodField()
    bounds = serializers.SerializerMethodField()
    bounds_wgs84 = serializers.SerializerMethodField()
    nodata = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = RasterFrame
        fields = [
            "id",
            "data_source",
            "parameter",
            "timestamp",
            "crs",
            "bounds",
            "bounds_wgs84",
            "width",
            "height",
            "bands",
            "dtype",
            "nodata",
            "min",
            "max",
            "mean",
            "band_stats",
            "scale",
            "offset",
            "unit",
            "size",
            "source_name",
            "upload_id",
            "updated",
            "links",
        ]

    def to_representation(self, instance: RasterFrame) -> dict:
        """Never a NaN or infinity in the JSON (the nodata field says "NaN" as text)."""
        return finite_json(super().to_representation(instance))

    def get_data_source(self, frame: RasterFrame) -> dict:
        return {"id": frame.data_source_id, "name": frame.data_source.name}

    def get_bounds(self, frame: RasterFrame) -> list[float]:
        """left, bottom, right, top in ``crs``."""
        return [frame.x_min, frame.y_min, frame.x_max, frame.y_max]

    def get_bounds_wgs84(self, frame: RasterFrame) -> list[float] | None:
        """west, south, east, north in degrees; null without a finite WGS84 envelope."""
        box = [frame.west, frame.south, frame.east, frame.north]
        finite = [v for v in box if v is not None and math.isfinite(v)]
        return finite if len(finite) == 4 else None

    def get_nodata(self, frame: RasterFrame) -> float | str | None:
        return nodata_json(frame)

    def get_links(self, frame: RasterFrame) -> dict[str, str]:
        request = self.context["request"]
        return {
            name: request.build_absolute_uri(reverse(f"raster-{name}", args=[frame.pk]))
            for name in ("detail", "download", "value", "preview")
        }


class RasterFrameDetailSerializer(RasterFrameSerializer):
    class Meta(RasterFrameSerializer.Meta):
        fields = [*RasterFrameSerializer.Meta.fields, "crs_wkt"]
