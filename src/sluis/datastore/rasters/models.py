"""Stored raster frames: one Cloud Optimized GeoTIFF per (data source, parameter, timestamp)."""

from django.db import models

from sluis.catalog.models import DataSource


class RasterFrame(models.Model):
    """One frame of a raster data source, stored as a COG under ``storage_key``.

    The key (data source, parameter, timestamp) is unique: a newer upload with the same key
    replaces the row's object (the old object is deleted after the commit). Bounds are kept in
    the raster's own CRS and in WGS84 (west, south, east, north) for discovery; the WGS84 ones
    are null for a frame without a finite WGS84 envelope (a geostationary view). ``nodata`` is
    text because NaN is a common nodata value that neither JSON nor SQLite can hold as a number.
    A packed file's values are stored unpacked; ``scale`` and ``offset`` say how it was packed.
    """

    data_source = models.ForeignKey(
        DataSource, on_delete=models.CASCADE, related_name="raster_frames"
    )
    parameter = models.CharField(max_length=200)
    timestamp = models.DateTimeField()
    storage_key = models.CharField(max_length=500)
    source_name = models.CharField(max_length=500, help_text="original file name (and step)")
    upload_id = models.BigIntegerField(null=True, blank=True, help_text="the upload that wrote it")
    size = models.BigIntegerField(help_text="bytes of the stored COG")
    crs = models.CharField(max_length=200, help_text="e.g. EPSG:28992")
    crs_wkt = models.TextField()
    x_min = models.FloatField()
    y_min = models.FloatField()
    x_max = models.FloatField()
    y_max = models.FloatField()
    west = models.FloatField(null=True)
    south = models.FloatField(null=True)
    east = models.FloatField(null=True)
    north = models.FloatField(null=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bands = models.PositiveIntegerField()
    dtype = models.CharField(max_length=16)
    nodata = models.CharField(max_length=40, blank=True)
    min = models.FloatField(null=True)
    max = models.FloatField(null=True)
    mean = models.FloatField(null=True)
    band_stats = models.JSONField(default=list)
    scale = models.FloatField(default=1.0, help_text="the file's packing scale (already applied)")
    offset = models.FloatField(default=0.0, help_text="the file's packing offset (already applied)")
    unit = models.CharField(max_length=50, blank=True, help_text="the unit the file names")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["data_source_id", "timestamp", "parameter"]
        constraints = [
            models.UniqueConstraint(
                fields=["data_source", "parameter", "timestamp"], name="raster_frame_unique_key"
            )
        ]
        indexes = [models.Index(fields=["data_source", "timestamp"], name="raster_frame_time")]

    def __str__(self) -> str:
        return f"{self.data_source_id}/{self.parameter}@{self.timestamp.isoformat()}"

    @property
    def nodata_value(self) -> float | None:
        return float(self.nodata) if self.nodata else None
