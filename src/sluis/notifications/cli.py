"""What ``sluis webhook`` and ``sluis mail`` do: one service call each, results as dicts."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from sluis.accounts.services import organization_get
from sluis.catalog.models import DataSource
from sluis.errors import SluisError
from sluis.notifications import errors, mail, services
from sluis.notifications.models import SourceMailing, WebhookEndpoint
from sluis.notifications.selectors import deliveries_of


def _endpoint(webhook_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(pk=webhook_id).first()
    if endpoint is None:
        raise errors.WebhookNotFound(f"No webhook has id {webhook_id}.")
    return endpoint


def _row(endpoint: WebhookEndpoint) -> dict:
    scope = f"data source {endpoint.data_source_id}" if endpoint.data_source_id else "organization"
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "owner": endpoint.owner.username,
        "scope": scope,
        "events": " ".join(endpoint.events),
        "active": endpoint.is_active,
    }


def webhook_create(*, user, url: str, source: int | None, events: list[str] | None) -> dict:
    issued = services.webhook_create(user=user, url=url, events=events, data_source_id=source)
    return {**_row(issued.endpoint), "secret": issued.secret}


def webhooks_list(*, username: str | None) -> dict:
    endpoints = WebhookEndpoint.objects.select_related("owner").order_by("pk")
    if username:
        endpoints = endpoints.filter(owner__username=username)
    return {"webhooks": [_row(e) for e in endpoints]}


def webhook_action(*, action: str, webhook_id: int) -> dict:
    endpoint = _endpoint(webhook_id)
    if action == "deliveries":
        rows = deliveries_of(endpoint=endpoint)[:50]
        return {"deliveries": [_delivery(d) for d in rows]}
    if action == "delete":
        services.webhook_delete(endpoint=endpoint)
        return {"deleted": webhook_id}
    services.webhook_update(endpoint=endpoint, is_active=action == "enable")
    return _row(endpoint)


def _delivery(delivery) -> dict:
    return {
        "id": delivery.pk,
        "event": delivery.event,
        "upload": delivery.upload_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "code": delivery.last_response_code,
        "error": delivery.last_error,
    }


def summary_send(*, day: str | None, force: bool) -> dict:
    try:
        chosen = date.fromisoformat(day) if day else timezone.now().date() - timedelta(days=1)
    except ValueError:
        raise SluisError(f"--day must be YYYY-MM-DD, not {day!r}.") from None
    return mail.summaries_send(day=chosen, force=force).as_dict()


def summary_subscription(*, organization: str | None, recipients: list[str], subscribe: bool):
    if not organization:
        raise SluisError("Name the organization.")
    org = organization_get(name=organization)
    if subscribe:
        mail.summary_subscribe(organization=org, recipients=recipients)
        return {"organization": org.name, "summary": True, "to": recipients or "its suppliers"}
    return {"organization": org.name, "summary": not mail.summary_unsubscribe(organization=org)}


def failure_recipients_set(*, data_source_id: int, recipients: list[str]) -> dict:
    source = DataSource.objects.filter(pk=data_source_id).first()
    if source is None:
        raise SluisError(f"No data source has id {data_source_id}.")
    SourceMailing.objects.update_or_create(
        data_source=source, defaults={"failure_recipients": recipients}
    )
    return {"data_source": source.pk, "failure_recipients": recipients}
