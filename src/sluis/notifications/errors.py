"""Typed errors of webhooks and e-mail; each has a stable ``code`` (see docs/api.md)."""

from sluis.errors import NotFound, PermissionDenied, SluisError


class WebhookUrlRefused(SluisError):
    """The URL is malformed, not https (unless allowed), or its host does not resolve."""

    code = "webhook_url_refused"
    default_detail = "This URL cannot receive webhooks."


class WebhookAddressRefused(WebhookUrlRefused):
    """The host is, or resolves to, an address webhooks may not reach (SSRF)."""

    code = "webhook_address_refused"
    default_detail = "Webhooks are only sent to public addresses."


class InvalidEvents(SluisError):
    code = "invalid_events"
    default_detail = "Name at least one known event."


class WebhookNotFound(NotFound):
    code = "webhook_not_found"
    default_detail = "The webhook does not exist."


class WebhookScopeDenied(PermissionDenied):
    code = "webhook_scope_denied"
    default_detail = (
        "You may register webhooks only for data sources you may upload to, or, as a Data "
        "Supplier of an organization, for all of its data sources."
    )


class DeliveryError(Exception):
    """A webhook request got no HTTP answer (connection refused, timeout, TLS). Internal: it is
    recorded on the delivery, never shown as an API error."""
