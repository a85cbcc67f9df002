"""Upload records: one received file and the story of its processing."""

from django.conf import settings
from django.db import models

from sluis.catalog.models import DataSource, SyncTask


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


BUSY_STATUSES = (UploadStatus.QUEUED, UploadStatus.PROCESSING)
FINISHED_STATUSES = (UploadStatus.SUCCEEDED, UploadStatus.FAILED)


class UploadQuerySet(models.QuerySet):
    def busy(self) -> "UploadQuerySet":
        """The uploads keeping their data source busy: ``queued`` or ``processing``. The one
        spelling of the rule the constraint ``one_busy_upload_per_data_source`` enforces."""
        return self.filter(status__in=BUSY_STATUSES)


class Upload(models.Model):
    """One received file, its stored original and the result of processing it.

    A data source is busy while one of its uploads is ``queued`` or ``processing``. The partial
    unique constraint ``one_busy_upload_per_data_source`` makes that rule race-free: of several
    simultaneous uploads to an idle data source, the database lets exactly one insert through.
    """

    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    sync_task = models.ForeignKey(
        SyncTask, null=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    data_source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="uploads")
    original_filename = models.TextField()
    filename = models.CharField(max_length=255, help_text="sanitised name")
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    detected_format = models.CharField(max_length=50, blank=True)
    storage_key = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True, db_index=True)

    status = models.CharField(
        max_length=12, choices=UploadStatus.choices, default=UploadStatus.QUEUED, db_index=True
    )
    received_at = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The process running the current attempt, "<host>:<pid>:<start time>" (ingest/owners.py).
    claimed_by = models.CharField(max_length=300, blank=True, default="")

    inserted = models.BigIntegerField(default=0)
    updated = models.BigIntegerField(default=0)
    unchanged = models.BigIntegerField(default=0)
    deleted = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="the first problems found")
    error_count = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    error_report_key = models.CharField(max_length=500, blank=True)
    original_purged_at = models.DateTimeField(
        null=True, blank=True, help_text="when the stored original was removed (retention)"
    )
    reprocess_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reprocesses",
        help_text="the upload that received the file, when this one processes it again",
    )

    objects = UploadQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["data_source"],
                condition=models.Q(status__in=["queued", "processing"]),
                name="one_busy_upload_per_data_source",
            ),
        ]
        indexes = [models.Index(fields=["data_source", "-received_at"])]

    def __str__(self) -> str:
        return f"upload {self.pk} {self.filename} ({self.status})"

    @property
    def file_received_at(self):
        """When the file was received: a reprocess keeps its receipt time (files without a
        time of their own are stored at it)."""
        if self.reprocess_of_id is not None and self.reprocess_of is not None:
            return self.reprocess_of.received_at
        return self.received_at
