"""Stored files: photos, documents and videos of ``file`` data sources, one row per name."""

from django.db import models

from sluis.catalog.models import DataSource


class TimestampSource(models.TextChoices):
    EXIF = "exif", "EXIF DateTimeOriginal"
    FILENAME = "filename", "Filename pattern"
    RECEIVED = "received", "Receipt time"


class StoredFile(models.Model):
    """One file of a data source, keyed by its sanitised ``name``.

    An upload with a file of the same name overwrites the row (new bytes under a new key; the old
    object is deleted after commit). The bytes and the thumbnail live in object storage under
    keys Sluis generates; ``original_filename`` is only served back as the download name.
    """

    data_source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="files")
    upload = models.ForeignKey(
        "uploads.Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    name = models.CharField(max_length=255, help_text="sanitised name: the overwrite key")
    original_filename = models.TextField(help_text="the name as sent (as on uploads)")
    format = models.CharField(max_length=16, help_text="sniffed format, e.g. jpeg or pdf")
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    key = models.CharField(max_length=500, help_text="object storage key of the bytes")
    thumbnail_key = models.CharField(max_length=500, blank=True)
    thumbnail_content_type = models.CharField(max_length=50, blank=True)

    timestamp = models.DateTimeField()
    timestamp_source = models.CharField(max_length=10, choices=TimestampSource.choices)
    latitude = models.FloatField(null=True, blank=True, help_text="WGS84")
    longitude = models.FloatField(null=True, blank=True, help_text="WGS84")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="seconds")
    page_count = models.PositiveIntegerField(null=True, blank=True)

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["timestamp", "id"]
        constraints = [
            models.UniqueConstraint(fields=["data_source", "name"], name="stored_file_unique_name")
        ]
        indexes = [
            models.Index(fields=["data_source", "timestamp"]),
            models.Index(fields=["longitude", "latitude"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.data_source_id})"
