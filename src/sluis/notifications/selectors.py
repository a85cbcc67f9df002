"""Queries over webhooks: who may see and manage which endpoint."""

from django.db.models import Q, QuerySet

from sluis.notifications.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from sluis.params import BIGINT_MAX
from sluis.uploads.models import Upload


def webhooks_visible(*, user) -> QuerySet[WebhookEndpoint]:
    """Endpoints ``user`` manages: the ones they registered and, as a Data Supplier, the
    organization-wide ones of their organization; all for administrators."""
    endpoints = WebhookEndpoint.objects.select_related("owner", "organization", "data_source")
    if not user.is_authenticated:
        return endpoints.none()
    if user.is_staff:
        return endpoints
    visible = Q(owner_id=user.pk)
    if user.is_data_supplier and user.organization_id:
        visible |= Q(organization_id=user.organization_id)
    return endpoints.filter(visible)


def webhook_visible(*, user, pk: int) -> WebhookEndpoint | None:
    """Endpoint ``pk`` if ``user`` manages it, else None (also for an id no column can hold)."""
    if not 0 < pk <= BIGINT_MAX:
        return None
    return webhooks_visible(user=user).filter(pk=pk).first()


def deliveries_of(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return endpoint.deliveries.order_by("-created", "-id")


def webhooks_for_upload(*, upload: Upload, event: str) -> list[WebhookEndpoint]:
    """Active endpoints subscribed to ``event`` whose scope holds the upload's data source.

    Candidates only: the caller still checks that each owner may see the upload.
    """
    scope = Q(data_source_id=upload.data_source_id) | Q(organization_id=upload.data_source.owner_id)
    endpoints = WebhookEndpoint.objects.select_related("owner").filter(
        scope, is_active=True, owner__is_active=True
    )
    return [e for e in endpoints if event in e.events]


def event_names() -> list[str]:
    return list(WebhookEvent.values)
