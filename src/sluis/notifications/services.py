"""Webhook endpoints (register, change, remove) and turning an upload's end into notifications.

When an upload ends, ``upload_notify`` (run by the worker, never by a web request) creates one
delivery per endpoint that may hear of it and queues the failure mail; ``deliveries.py`` sends
them. Only uploads an endpoint's owner may see through the API are ever sent to it.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from sluis.catalog.models import DataSource
from sluis.catalog.selectors import user_can_upload
from sluis.notifications import errors
from sluis.notifications.models import (
    DeliveryStatus,
    UploadNotice,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from sluis.notifications.selectors import webhooks_for_upload
from sluis.notifications.transport import target_check
from sluis.uploads.api.serializers import UploadSerializer
from sluis.uploads.models import FINISHED_STATUSES, Upload, UploadStatus
from sluis.uploads.selectors import upload_visible

logger = logging.getLogger(__name__)
SECRET_PREFIX = "whsec_"


@dataclass(frozen=True)
class IssuedWebhook:
    """A newly registered endpoint and its signing secret, shown this once."""

    endpoint: WebhookEndpoint
    secret: str


# --- endpoints --------------------------------------------------------------------------------


def webhook_create(
    *,
    user,
    url: str,
    events: list[str] | None = None,
    data_source_id: int | None = None,
    description: str = "",
) -> IssuedWebhook:
    """Register ``url`` for one data source ``user`` may upload to, or (no data source) for
    every data source of the organization ``user`` is a Data Supplier of. The URL must pass
    the SSRF rules now and again at every send."""
    scope = _scope(user, data_source_id)
    target_check(url=url)
    secret = SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()
    endpoint = WebhookEndpoint.objects.create(
        owner=user,
        url=url,
        events=events_clean(events),
        description=description,
        secret=secret,
        **scope,
    )
    return IssuedWebhook(endpoint=endpoint, secret=secret)


def _scope(user, data_source_id: int | None) -> dict:
    if data_source_id is None:
        if not (user.is_data_supplier and user.organization_id):
            raise errors.WebhookScopeDenied()
        return {"organization_id": user.organization_id}
    source = DataSource.objects.filter(pk=data_source_id).first()
    if source is None or not user_can_upload(user=user, data_source=source):
        raise errors.WebhookScopeDenied()
    return {"data_source": source}


def events_clean(events: list[str] | None) -> list[str]:
    """The events in their documented order; ``None`` subscribes to all of them."""
    if events is None:
        return list(WebhookEvent.values)
    unknown = sorted(set(events) - set(WebhookEvent.values))
    if unknown or not events:
        known = ", ".join(WebhookEvent.values)
        raise errors.InvalidEvents(
            f"Unknown event {unknown[0]!r}; known events: {known}."
            if unknown
            else f"Name at least one event: {known}."
        )
    return [name for name in WebhookEvent.values if name in events]


def webhook_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change an endpoint. Enabling a disabled one forgets its failures."""
    if url is not None:
        target_check(url=url)
        endpoint.url = url
    if events is not None:
        endpoint.events = events_clean(events)
    if description is not None:
        endpoint.description = description
    if is_active is True and not endpoint.is_active:
        endpoint.is_active = True
        endpoint.failing_since = endpoint.disabled_at = None
        endpoint.disabled_reason = ""
    elif is_active is False and endpoint.is_active:
        webhook_disable(endpoint=endpoint, reason="Disabled by its owner.")
    endpoint.save()
    return endpoint


def webhook_disable(*, endpoint: WebhookEndpoint, reason: str) -> None:
    """Stop sending to an endpoint; its pending deliveries fail with ``reason``."""
    now = timezone.now()
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=reason
    )


def webhook_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


# --- an upload ended --------------------------------------------------------------------------


class PublicRequest:
    """Stands in for a request when a worker serialises an upload: links are absolute on
    ``SLUIS_PUBLIC_URL``, as a request to the public address would make them."""

    def build_absolute_uri(self, path: str) -> str:
        return settings.SLUIS_PUBLIC_URL.rstrip("/") + path


def upload_record(*, upload: Upload) -> dict:
    """The upload as ``GET /api/v1/uploads/{id}/`` returns it."""
    return dict(UploadSerializer(upload, context={"request": PublicRequest()}).data)


@dataclass(frozen=True)
class Notified:
    """What ``upload_notify`` prepared: deliveries to send and whether a failure mail is due."""

    delivery_ids: list[int]
    failure_mail: bool


def upload_notify(*, upload_id: int) -> Notified | None:
    """Prepare the notifications of an upload's latest end, once; ``None`` when there is
    nothing (new) to tell. The caller sends what it returns after this commits."""
    upload = Upload.objects.select_related("uploader", "data_source").filter(pk=upload_id).first()
    if upload is None or upload.status not in FINISHED_STATUSES or upload.finished_at is None:
        return None
    try:
        with transaction.atomic():
            UploadNotice.objects.create(upload=upload, finished_at=upload.finished_at)
            event = f"upload.{upload.status}"
            delivery_ids = _deliveries_create(upload, event, upload.finished_at)
    except IntegrityError:
        return None  # another worker prepared this end already
    return Notified(delivery_ids, failure_mail=upload.status == UploadStatus.FAILED)


def _deliveries_create(upload: Upload, event: str, finished_at: datetime) -> list[int]:
    endpoints = [
        endpoint
        for endpoint in webhooks_for_upload(upload=upload, event=event)
        if upload_visible(user=endpoint.owner, pk=upload.pk) is not None
    ]
    if not endpoints:
        return []
    now = timezone.now()
    body = json.dumps(
        {"type": event, "timestamp": now.isoformat(), "data": upload_record(upload=upload)},
        separators=(",", ":"),
    )
    key = f"upload:{upload.pk}:{finished_at.isoformat()}"
    created = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            upload=upload,
            event=event,
            event_key=key,
            message_id=f"msg_{uuid.uuid4().hex}",
            body=body,
            next_attempt_at=now,
            dispatched_at=now,
        )
        for endpoint in endpoints
    )
    if any(d.pk is None for d in created):  # backends that do not return ids
        return list(
            WebhookDelivery.objects.filter(event_key=key, endpoint__in=endpoints).values_list(
                "pk", flat=True
            )
        )
    return [d.pk for d in created]


def uploads_unnotified(*, window_seconds: float, grace_seconds: float) -> list[int]:
    """Uploads that ended within the window (but not in the last ``grace_seconds``) whose end
    was never prepared: the wake-up after commit was lost (broker down, worker killed)."""
    now = timezone.now()
    notices = UploadNotice.objects.filter(
        upload_id=OuterRef("pk"), finished_at=OuterRef("finished_at")
    )
    return list(
        Upload.objects.filter(
            status__in=FINISHED_STATUSES,
            finished_at__gte=now - timedelta(seconds=window_seconds),
            finished_at__lt=now - timedelta(seconds=grace_seconds),
        )
        .filter(~Exists(notices))
        .order_by()
        .values_list("pk", flat=True)
    )
