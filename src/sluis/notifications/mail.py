"""E-mail about uploads: a failed upload, a disabled webhook, an organization's daily summary.

Django's e-mail framework, configured by ``SLUIS_EMAIL_URL`` (docs/configuration.md); with no
URL set every message goes to Django's dummy backend (nothing is sent). Links are absolute on
``SLUIS_PUBLIC_URL``. Plain text: the messages are read by people and by mail filters alike.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse

from sluis.accounts.models import Organization, User
from sluis.notifications.models import SourceMailing, SummarySubscription, WebhookEndpoint
from sluis.notifications.services import PublicRequest
from sluis.uploads.api.serializers import error_report_link
from sluis.uploads.models import Upload, UploadStatus

logger = logging.getLogger(__name__)


def _absolute(path: str) -> str:
    return PublicRequest().build_absolute_uri(path)


def _send(*, subject: str, template: str, context: dict, to: list[str]) -> int:
    body = render_to_string(f"notifications/{template}", context)
    return EmailMessage(subject=subject, body=body, to=to).send()


# --- a failed upload --------------------------------------------------------------------------


def failure_recipients(*, upload: Upload) -> list[str]:
    """The uploader (when they have an address) and the data source's extra addresses."""
    addresses = []
    if upload.uploader is not None and upload.uploader.is_active and upload.uploader.email:
        addresses.append(upload.uploader.email)
    mailing = SourceMailing.objects.filter(data_source_id=upload.data_source_id).first()
    if mailing is not None:
        addresses += mailing.failure_recipients
    return list(dict.fromkeys(a.strip() for a in addresses if a.strip()))


def upload_failure_mail_send(*, upload_id: int) -> int:
    """Tell the uploader (and the source's extra addresses) that an upload failed: the reason,
    the first problems and the links to the record and the full error report. Returns the
    number of messages sent (0 when nobody has an address or the upload did not fail)."""
    upload = Upload.objects.select_related("uploader", "data_source", "sync_task").get(pk=upload_id)
    recipients = failure_recipients(upload=upload)
    if upload.status != UploadStatus.FAILED or not recipients:
        return 0
    limit = settings.SLUIS_FAILURE_MAIL_PROBLEMS
    context = {
        "upload": upload,
        "problems": [_problem_line(p) for p in (upload.errors or [])[:limit]],
        "more_problems": max(upload.error_count - limit, 0),
        "report_url": error_report_link(PublicRequest(), upload),
        "status_url": _absolute(reverse("upload-detail", args=[upload.pk])),
        "history_url": _history_url(upload),
    }
    subject = f"Upload failed: {upload.filename} to {upload.data_source.name}"
    return _send(subject=subject, template="upload_failed.txt", context=context, to=recipients)


def _problem_line(problem: dict) -> str:
    where = [problem.get("file", "")]
    if problem.get("line") is not None:
        where.append(f"line {problem['line']}")
    if problem.get("feature") is not None:
        where.append(f"feature {problem['feature']}")
    if problem.get("field"):
        where.append(f"field {problem['field']}")
    value = f" (value: {problem['value']})" if problem.get("value") else ""
    place = ", ".join(w for w in where if w)
    return f"{place}: {problem.get('message', '')}{value}" if place else problem.get("message", "")


def _history_url(upload: Upload) -> str | None:
    if upload.sync_task_id is None:
        return None
    return _absolute(reverse("web-history", args=[upload.sync_task_id]))


# --- a disabled webhook -----------------------------------------------------------------------


def webhook_disabled_mail_send(*, endpoint: WebhookEndpoint) -> int:
    """Tell an endpoint's owner that it was disabled, why, and how to enable it again."""
    owner = endpoint.owner
    if not owner.email:
        logger.warning("webhook %s disabled; its owner has no e-mail address", endpoint.pk)
        return 0
    context = {
        "endpoint": endpoint,
        "api_url": _absolute(reverse("webhook-detail", args=[endpoint.pk])),
        "page_url": _absolute(reverse("web-webhooks")),
    }
    return _send(
        subject=f"Webhook disabled: {endpoint.url}",
        template="webhook_disabled.txt",
        context=context,
        to=[owner.email],
    )


# --- the daily summary ------------------------------------------------------------------------


@dataclass
class SummaryRun:
    day: str
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"day": self.day, "sent": self.sent, "skipped": self.skipped}


def summary_subscribe(*, organization: Organization, recipients: list[str]) -> None:
    """Opt an organization in to the daily summary (no addresses: its Data Suppliers')."""
    SummarySubscription.objects.update_or_create(
        organization=organization, defaults={"recipients": recipients}
    )


def summary_unsubscribe(*, organization: Organization) -> bool:
    return bool(SummarySubscription.objects.filter(organization=organization).delete()[0])


def summaries_send(*, day: date, force: bool = False) -> SummaryRun:
    """Send each subscribed organization its summary of the uploads that ended on ``day``
    (UTC). Idempotent per day: a day already summarised is skipped unless ``force``."""
    run = SummaryRun(day=day.isoformat())
    subscriptions = SummarySubscription.objects.select_related("organization").order_by("pk")
    for subscription in subscriptions:
        name = subscription.organization.name
        recipients = _summary_recipients(subscription)
        done = subscription.last_sent_for is not None and subscription.last_sent_for >= day
        if (done and not force) or not recipients:
            run.skipped.append(name)
            continue
        _summary_send(subscription.organization, day, recipients)
        SummarySubscription.objects.filter(pk=subscription.pk).update(last_sent_for=day)
        run.sent.append(name)
    return run


def _summary_recipients(subscription: SummarySubscription) -> list[str]:
    if subscription.recipients:
        return list(subscription.recipients)
    suppliers = User.objects.filter(
        organization=subscription.organization, is_data_supplier=True, is_active=True
    ).exclude(email="")
    return list(suppliers.order_by("pk").values_list("email", flat=True))


def _summary_send(organization: Organization, day: date, recipients: list[str]) -> None:
    start = datetime.combine(day, time(), tzinfo=UTC)
    ended = Upload.objects.filter(
        data_source__owner=organization,
        finished_at__gte=start,
        finished_at__lt=start + timedelta(days=1),
    )
    sources = (
        ended.values("data_source__name")
        .annotate(
            succeeded=Count("pk", filter=Q(status=UploadStatus.SUCCEEDED)),
            failed=Count("pk", filter=Q(status=UploadStatus.FAILED)),
        )
        .order_by("data_source__name")
    )
    failed = ended.filter(status=UploadStatus.FAILED).select_related("data_source")
    context = {
        "organization": organization,
        "day": day,
        "sources": list(sources),
        "succeeded": ended.filter(status=UploadStatus.SUCCEEDED).count(),
        "failed": [
            {"upload": u, "url": _absolute(reverse("upload-detail", args=[u.pk]))}
            for u in failed.order_by("finished_at")[:100]
        ],
        "failed_count": failed.count(),
    }
    subject = f"Sluis daily summary for {organization.name}, {day.isoformat()}"
    _send(subject=subject, template="daily_summary.txt", context=context, to=recipients)
