"""How uploads look in the API: the reference 201 body, the record, and the legacy list."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sluis.config.serializers import ModelSerializer
from sluis.text import datetime_text
from sluis.uploads.links import DownloadLink, download_link, link_cache
from sluis.uploads.models import Upload

MAX_LINK_NAME = 1000  # longer originals are downloaded under their sanitised name


def original_link(request, upload: Upload) -> DownloadLink | None:
    if not upload.storage_key or upload.original_purged_at is not None:
        return None
    name = upload.original_filename
    if len(name) > MAX_LINK_NAME:
        name = upload.filename
    return download_link(request=request, key=upload.storage_key, filename=name)


def error_report_link(request, upload: Upload) -> str | None:
    if not upload.error_report_key:
        return None
    name = f"upload-{upload.pk}-errors.csv"
    return download_link(
        request=request, key=upload.error_report_key, filename=name, content_type="text/csv"
    ).url


class _LinkedSerializer(ModelSerializer):
    def _link(self, upload: Upload) -> DownloadLink | None:
        cache = link_cache(self.context)
        if upload.pk not in cache:
            cache[upload.pk] = original_link(self.context.get("request"), upload)
        return cache[upload.pk]


class UploadReceiptSerializer(_LinkedSerializer):
    """The 201 body: the reference page's four fields first, then Sluis's additions."""

    uploader = serializers.SerializerMethodField()
    upload_date = serializers.DateTimeField(source="received_at", read_only=True)
    download_link = serializers.SerializerMethodField()
    download_link_expires = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = Upload
        fields = [
            "uploader",
            "filename",
            "upload_date",
            "download_link",
            "id",
            "status",
            "status_url",
            "size",
            "sha256",
            "original_filename",
            "download_link_expires",
        ]

    def get_uploader(self, upload: Upload) -> str:
        return upload.uploader.shown_name if upload.uploader else ""

    def get_download_link(self, upload: Upload) -> str | None:
        link = self._link(upload)
        return link.url if link else None

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_download_link_expires(self, upload: Upload) -> str | None:
        link = self._link(upload)
        return datetime_text(link.expires_at) if link else None

    def get_status_url(self, upload: Upload) -> str:
        return _status_url(self.context, upload)


class UploadSerializer(UploadReceiptSerializer):
    """An upload record: the receipt plus processing state, counts and the first errors."""

    data_source = serializers.SerializerMethodField()
    sync_task = serializers.IntegerField(source="sync_task_id", allow_null=True)
    counts = serializers.SerializerMethodField()
    # DRF's serializer metaclass moves declared fields off the class, so this never hides
    # Serializer.errors; the stubs only see the class attribute
    errors = serializers.SerializerMethodField()  # type: ignore[assignment]
    error_report = serializers.SerializerMethodField()
    original_url = serializers.SerializerMethodField()
    reprocess_of = serializers.IntegerField(source="reprocess_of_id", allow_null=True)

    class Meta(UploadReceiptSerializer.Meta):
        fields = [
            *UploadReceiptSerializer.Meta.fields,
            "data_source",
            "sync_task",
            "detected_format",
            "received_at",
            "started_at",
            "finished_at",
            "attempts",
            "counts",
            "warnings",
            "error_count",
            "errors",
            "failure_reason",
            "error_report",
            "original_url",
            "original_purged_at",
            "reprocess_of",
        ]

    def get_data_source(self, upload: Upload) -> dict:
        return {"id": upload.data_source_id, "name": upload.data_source.name}

    def get_counts(self, upload: Upload) -> dict[str, int]:
        names = ("inserted", "updated", "unchanged", "deleted", "rejected")
        return {name: getattr(upload, name) for name in names}

    def get_errors(self, upload: Upload) -> list:
        return list(upload.errors or [])[: settings.SLUIS_UPLOAD_FIRST_ERRORS]

    def get_error_report(self, upload: Upload) -> str | None:
        return error_report_link(self.context.get("request"), upload)

    def get_original_url(self, upload: Upload) -> str:
        """A stable URL of the original (redirects to a fresh link; 410 once purged)."""
        path = reverse("upload-original", args=[upload.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class UploadSummarySerializer(ModelSerializer):
    """A short view of an upload, embedded in a sync task."""

    upload_date = serializers.DateTimeField(source="received_at", read_only=True)
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = Upload
        fields = ["id", "status", "filename", "upload_date", "finished_at", "status_url"]

    def get_status_url(self, upload: Upload) -> str:
        return _status_url(self.context, upload)


def _status_url(context: Mapping[str, Any], upload: Upload) -> str:
    path = reverse("upload-detail", args=[upload.pk])
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


_LEGACY_STATUS = {
    "queued": "harvesting",
    "processing": "harvesting",
    "succeeded": "successful",
    "failed": "failed",
}


class LegacyUploadSerializer(_LinkedSerializer):
    """The legacy Nexus ``/uploads/`` shape (its field names, docs/api.md)."""

    uploader_name = serializers.SerializerMethodField()
    upload_file = serializers.SerializerMethodField()
    upload_date = serializers.DateTimeField(source="received_at", read_only=True)
    uploader = serializers.IntegerField(source="uploader_id", allow_null=True)
    datasource = serializers.IntegerField(source="data_source_id")
    datasource_name = serializers.CharField(source="data_source.name")
    datasource_owner = serializers.CharField(source="data_source.owner.name")
    sync_last_finished = serializers.SerializerMethodField()
    sync_status = serializers.SerializerMethodField()

    class Meta:
        model = Upload
        fields = [
            "id",
            "filename",
            "uploader_name",
            "upload_file",
            "upload_date",
            "uploader",
            "datasource",
            "datasource_name",
            "datasource_owner",
            "sync_last_finished",
            "sync_status",
        ]

    def get_uploader_name(self, upload: Upload) -> str:
        return upload.uploader.shown_name if upload.uploader else ""

    def get_upload_file(self, upload: Upload) -> str | None:
        link = self._link(upload)
        return link.url if link else None

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_sync_last_finished(self, upload: Upload) -> str | None:
        task = upload.sync_task
        return datetime_text((task.sync_last_finished if task else None) or upload.finished_at)

    def get_sync_status(self, upload: Upload) -> str:
        return _LEGACY_STATUS[upload.status]
