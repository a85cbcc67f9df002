"""Data sources and the sync tasks that address them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from sluis.accounts.models import Organization
from sluis.catalog.ingest_settings import ingest_settings_validate, validate_ingest_settings
from sluis.kinds import kind_choices


class DataSource(models.Model):
    """A dataset that suppliers upload to: its kind decides formats and the merge rule.

    Timeseries, rasters and files are appended (overlaps overwritten); vector datasets are
    replaced whole. ``ingest_settings`` tunes reading (columns, time zone, patterns, ...).
    """

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="data_sources")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    private = models.BooleanField(default=False)
    uploadable = models.BooleanField(default=False)
    kind = models.CharField(max_length=16, choices=kind_choices)  # the kind registry
    ingest_settings = models.JSONField(
        default=dict, blank=True, validators=[validate_ingest_settings]
    )
    suppliers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="granted_data_sources",
        help_text="Users of other organizations explicitly allowed to upload here.",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["owner__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="data_source_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner})"

    def clean(self) -> None:
        """The ingest settings must be keys the data source's kind reads."""
        try:
            ingest_settings_validate(kind=self.kind, value=self.ingest_settings)
        except ValidationError as exc:
            raise ValidationError({"ingest_settings": exc.messages}) from exc


class TaskType(models.TextChoices):
    DATA_SOURCE = "data_source", "Data source"
    CALCULATION = "calculation", "Calculation"
    SCENARIO = "scenario", "Scenario"


class SyncStatus(models.TextChoices):
    IDLE = "idle", "Idle"
    HARVESTING = "harvesting", "Harvesting"
    SUCCESSFUL = "successful", "Successful"
    FAILED = "failed", "Failed"


class SyncTask(models.Model):
    """What the upload URL addresses (``/sync_tasks/{id}/upload/``).

    Only ``data_source`` tasks whose data source is uploadable accept uploads. A task counts as
    private when it is marked private or its data source is.
    """

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sync_tasks")
    task_type = models.CharField(
        max_length=16, choices=TaskType.choices, default=TaskType.DATA_SOURCE
    )
    data_source = models.ForeignKey(
        DataSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="sync_tasks"
    )
    private = models.BooleanField(default=False)
    sync_status = models.CharField(
        max_length=16, choices=SyncStatus.choices, default=SyncStatus.IDLE
    )
    sync_last_finished = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"

    @property
    def uploadable(self) -> bool:
        return (
            self.task_type == TaskType.DATA_SOURCE
            and self.data_source is not None
            and self.data_source.uploadable
        )

    @property
    def is_private(self) -> bool:
        return self.private or bool(self.data_source and self.data_source.private)
