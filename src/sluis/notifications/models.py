"""Webhook endpoints and their delivery log; who gets e-mail about uploads."""

from django.conf import settings
from django.db import models

from sluis.accounts.models import Organization
from sluis.catalog.models import DataSource
from sluis.uploads.models import Upload


class WebhookEvent(models.TextChoices):
    UPLOAD_SUCCEEDED = "upload.succeeded", "An upload was processed"
    UPLOAD_FAILED = "upload.failed", "An upload failed"


class WebhookEndpoint(models.Model):
    """A URL that receives signed Standard Webhooks messages about uploads.

    Its scope is either one data source (``data_source``) or every data source an organization
    owns (``organization``). Only uploads its ``owner`` may see are ever sent to it, so an
    endpoint never hears of another organization's upload. ``secret`` signs the messages: it is
    needed in clear to sign, and shown to the owner once, at registration.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        help_text="every data source of this organization (or set a data source instead)",
    )
    data_source = models.ForeignKey(
        DataSource,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100, editable=False)
    is_active = models.BooleanField(default=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="first failure since the last success"
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=True, data_source__isnull=False)
                | models.Q(organization__isnull=False, data_source__isnull=True),
                name="webhook_one_scope",
            )
        ]

    def __str__(self) -> str:
        return f"webhook {self.pk} {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One message to one endpoint and the story of sending it.

    ``body`` is fixed when the event happens, so every attempt sends the same bytes under the
    same ``message_id`` (the ``webhook-id`` header receivers deduplicate on); each attempt signs
    them with its own timestamp. ``dispatched_at`` is set while a wake-up for the next attempt is
    on its way to a worker.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    upload = models.ForeignKey(
        Upload, null=True, on_delete=models.SET_NULL, related_name="webhook_deliveries"
    )
    event = models.CharField(max_length=40)
    event_key = models.CharField(max_length=100, help_text="the event's identity, for dedup")
    message_id = models.CharField(max_length=40, unique=True)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_key"], name="webhook_delivery_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} {self.event} ({self.status})"


class UploadNotice(models.Model):
    """Marks that the notifications of one end of an upload (it may end again after a requeue)
    were prepared: deliveries created and the failure mail queued. Makes that step idempotent
    and lets the catch-up find ends whose notification was lost."""

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="notices")
    finished_at = models.DateTimeField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["upload", "finished_at"], name="upload_notice_once")
        ]

    def __str__(self) -> str:
        return f"notice of upload {self.upload_id} ending at {self.finished_at}"


class SourceMailing(models.Model):
    """Extra addresses told when an upload to a data source fails (besides its uploader)."""

    data_source = models.OneToOneField(DataSource, on_delete=models.CASCADE, related_name="mailing")
    failure_recipients = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"failure mail of {self.data_source}"


class SummarySubscription(models.Model):
    """An organization's opt-in daily summary of its uploads (``sluis mail summary``)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="summary_subscription"
    )
    recipients = models.JSONField(default=list)
    last_sent_for = models.DateField(null=True, blank=True, help_text="the last day summarised")

    def __str__(self) -> str:
        return f"daily summary of {self.organization}"
