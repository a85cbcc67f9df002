"""Sending webhook deliveries: Standard Webhooks signing, attempts, backoff, giving up.

A delivery is attempted by the Celery task ``sluis.deliver_webhook(delivery_id, attempt)``.
The database is the source of truth: an attempt is claimed with one conditional ``UPDATE`` (a
duplicate or late message for the same attempt finds nothing to claim), and a failed attempt
stores when the next one is due. Each worker's dispatcher (``deliveries_dispatch``, every
``SLUIS_WEBHOOK_POLL_INTERVAL`` s) sends the wake-ups of due attempts, and again of attempts
whose wake-up was lost. Retries back off exponentially (``SLUIS_WEBHOOK_RETRY_BASE`` doubling,
capped at ``SLUIS_WEBHOOK_RETRY_MAX_DELAY``) for ``SLUIS_WEBHOOK_RETRY_FOR`` seconds; an
endpoint that has failed without a single success for ``SLUIS_WEBHOOK_DISABLE_AFTER`` seconds
is disabled and its owner told by e-mail. A wake-up is "in flight" (``dispatched_at`` set)
from when it is sent until its attempt has failed; one in flight for longer than
``SLUIS_WEBHOOK_REDISPATCH_AFTER`` s (its worker died) is sent again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from sluis.notifications import errors
from sluis.notifications.mail import webhook_disabled_mail_send
from sluis.notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from sluis.notifications.services import webhook_disable
from sluis.notifications.transport import Response, webhook_post

logger = logging.getLogger(__name__)
USER_AGENT = "Sluis-Webhooks/1"
MAX_ERROR_TEXT = 500


def signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``
    keyed by the base64-decoded secret (Standard Webhooks)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(*, delivery: WebhookDelivery, body: bytes, now: datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(
            secret=delivery.endpoint.secret,
            message_id=delivery.message_id,
            timestamp=timestamp,
            body=body,
        ),
    }


def retry_delay(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: the base, doubling, capped."""
    base = settings.SLUIS_WEBHOOK_RETRY_BASE
    return min(base * 2 ** max(attempts - 1, 0), settings.SLUIS_WEBHOOK_RETRY_MAX_DELAY)


# --- one attempt ------------------------------------------------------------------------------


def delivery_attempt(*, delivery_id: int, attempt: int) -> str:
    """Make attempt number ``attempt`` of a delivery; returns the delivery's status after it,
    or ``skipped`` when that attempt was already made (a duplicate or late wake-up)."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, attempts=attempt - 1
    ).update(attempts=attempt, last_attempt_at=now, dispatched_at=now)  # in flight
    if not claimed:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint", "endpoint__owner").get(
        pk=delivery_id
    )
    if not delivery.endpoint.is_active:
        _finish(delivery, DeliveryStatus.FAILED, error="The endpoint is disabled.")
        return DeliveryStatus.FAILED
    body = delivery.body.encode()
    try:
        response = webhook_post(
            url=delivery.endpoint.url,
            body=body,
            headers=signed_headers(delivery=delivery, body=body, now=now),
        )
    except (errors.WebhookUrlRefused, errors.DeliveryError) as exc:
        return _failed(delivery, error=str(exc))
    return _answered(delivery, response)


def _answered(delivery: WebhookDelivery, response: Response) -> str:
    if 200 <= response.status < 300:
        _finish(delivery, DeliveryStatus.SUCCEEDED, code=response.status)
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failing_since=None)
        return DeliveryStatus.SUCCEEDED
    excerpt = response.body[:200].decode("utf-8", "replace")
    redirect = " (redirects are not followed)" if 300 <= response.status < 400 else ""
    error = f"HTTP {response.status}{redirect}" + (f": {excerpt}" if excerpt else "")
    return _failed(delivery, error=error, code=response.status)


def _finish(delivery: WebhookDelivery, status: str, *, code=None, error: str = "") -> None:
    fields = {
        "status": status,
        "next_attempt_at": None,
        "last_response_code": code,
        "last_error": error[:MAX_ERROR_TEXT],
    }
    if status == DeliveryStatus.SUCCEEDED:
        fields["delivered_at"] = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    _log(delivery, status=status, code=code, error=error)


def _failed(delivery: WebhookDelivery, *, error: str, code: int | None = None) -> str:
    """Schedule the next attempt, or give up once the retry window has passed; disable an
    endpoint that has kept failing."""
    now = timezone.now()
    endpoint = delivery.endpoint
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since=None).update(failing_since=now)
    endpoint.refresh_from_db(fields=["failing_since"])
    due = now + timedelta(seconds=retry_delay(delivery.attempts))
    if due > delivery.created + timedelta(seconds=settings.SLUIS_WEBHOOK_RETRY_FOR):
        _finish(delivery, DeliveryStatus.FAILED, code=code, error=error)
        status = DeliveryStatus.FAILED
    else:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=due,
            dispatched_at=None,
            last_response_code=code,
            last_error=error[:MAX_ERROR_TEXT],
        )
        _log(delivery, status="retrying", code=code, error=error)
        status = DeliveryStatus.PENDING
    failing_for = (now - (endpoint.failing_since or now)).total_seconds()
    if failing_for >= settings.SLUIS_WEBHOOK_DISABLE_AFTER:
        _disable(endpoint, failing_for, error)
        status = DeliveryStatus.FAILED
    return status


def _disable(endpoint: WebhookEndpoint, failing_for: float, error: str) -> None:
    span = (
        f"{failing_for / 3600:.1f} hours"
        if failing_for >= 7200
        else f"{failing_for / 60:.0f} minutes"
    )
    reason = f"Every delivery failed for {span}; the last error: {error}"
    webhook_disable(endpoint=endpoint, reason=reason[:MAX_ERROR_TEXT])
    logger.warning(
        "webhook %s disabled: %s",
        endpoint.pk,
        reason,
        extra={"event": "webhook.disabled", "webhook_id": endpoint.pk},
    )
    webhook_disabled_mail_send(endpoint=endpoint)


def _log(delivery: WebhookDelivery, *, status: str, code, error: str) -> None:
    fields = {
        "event": f"webhook.delivery_{status}",
        "webhook_id": delivery.endpoint_id,
        "delivery_id": delivery.pk,
        "upload_id": delivery.upload_id,
        "attempt": delivery.attempts,
        "response_code": code,
    }
    level = logging.INFO if status == DeliveryStatus.SUCCEEDED else logging.WARNING
    logger.log(
        level,
        "webhook delivery %s (%s, attempt %s): %s%s",
        delivery.pk,
        delivery.event,
        delivery.attempts,
        status,
        f" ({error})" if error else "",
        extra=fields,
    )


# --- the dispatcher ---------------------------------------------------------------------------


def deliveries_dispatch(*, send: Callable[[int, int], object]) -> int:
    """Send the wake-up of every due attempt (``send(delivery_id, attempt)``), and again of
    attempts whose wake-up went out ``SLUIS_WEBHOOK_REDISPATCH_AFTER`` s ago without being
    made; a conditional update keeps racing dispatchers from doubling one. Returns how many."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.SLUIS_WEBHOOK_REDISPATCH_AFTER)
    waiting = Q(dispatched_at=None) | Q(dispatched_at__lt=stale)
    due = WebhookDelivery.objects.filter(
        waiting, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at")
    sent = 0
    for delivery_id, attempts, dispatched in due.values_list("pk", "attempts", "dispatched_at"):
        mine = WebhookDelivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, dispatched_at=dispatched
        ).update(dispatched_at=now)
        if mine:
            send(delivery_id, attempts + 1)
            sent += 1
    return sent
