from __future__ import annotations

from pathlib import PurePosixPath

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sluis.text import datetime_text
from sluis.uploads.links import download_link, link_cache

from ..models import StoredFile


class StoredFileSerializer(serializers.ModelSerializer):
    """A stored file with its metadata and fresh signed links (attachments, ``nosniff``)."""

    location = serializers.SerializerMethodField()
    download_link = serializers.SerializerMethodField()
    download_link_expires = serializers.SerializerMethodField()
    thumbnail_link = serializers.SerializerMethodField()
    original_name = serializers.CharField(
        source="original_filename", read_only=True, help_text="the older name of original_filename"
    )

    class Meta:
        model = StoredFile
        fields = [
            "id",
            "data_source",
            "upload",
            "name",
            "original_filename",
            "original_name",
            "format",
            "content_type",
            "size",
            "sha256",
            "timestamp",
            "timestamp_source",
            "location",
            "width",
            "height",
            "duration",
            "page_count",
            "download_link",
            "download_link_expires",
            "thumbnail_link",
            "created",
            "updated",
        ]

    @extend_schema_field({"type": "object", "nullable": True, "description": "GeoJSON Point"})
    def get_location(self, obj: StoredFile) -> dict | None:
        """A GeoJSON Point ``[longitude, latitude]`` in WGS84, or null."""
        if obj.latitude is None or obj.longitude is None:
            return None
        return {"type": "Point", "coordinates": [obj.longitude, obj.latitude]}

    def _download(self, obj: StoredFile):
        cache = link_cache(self.context)
        if obj.pk not in cache:
            cache[obj.pk] = download_link(
                request=self.context.get("request"),
                key=obj.key,
                filename=_download_name(obj),
                content_type=obj.content_type,
            )
        return cache[obj.pk]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_link(self, obj: StoredFile) -> str:
        return self._download(obj).url

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_download_link_expires(self, obj: StoredFile) -> str | None:
        return datetime_text(self._download(obj).expires_at)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_thumbnail_link(self, obj: StoredFile) -> str | None:
        if not obj.thumbnail_key:
            return None
        stem = PurePosixPath(obj.name).stem or "thumbnail"
        extension = "png" if obj.thumbnail_content_type == "image/png" else "jpg"
        link = download_link(
            request=self.context.get("request"),
            key=obj.thumbnail_key,
            filename=f"{stem}.thumbnail.{extension}",
            content_type=obj.thumbnail_content_type,
        )
        return link.url


def _download_name(obj: StoredFile) -> str:
    """The original name (last path part) as the supplier sent it; the sanitised one if empty."""
    return obj.original_filename.replace("\\", "/").rsplit("/", 1)[-1] or obj.name
