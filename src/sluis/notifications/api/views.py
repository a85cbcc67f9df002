"""Webhook endpoints. Thin: check the shape, call one service, serialise.

Every view needs a signed-in caller (DRF's default ``IsAuthenticated``: 401
``not_authenticated``); a caller sees and changes only the endpoints ``webhooks_visible`` gives.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from sluis.notifications import errors, services
from sluis.notifications.api.serializers import (
    WebhookCreateSerializer,
    WebhookDeliverySerializer,
    WebhookIssuedSerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
)
from sluis.notifications.selectors import deliveries_of, webhook_visible, webhooks_visible


def _endpoint(request, pk: int):
    """Endpoint ``pk`` if the caller may see it; 404 ``webhook_not_found`` otherwise."""
    endpoint = webhook_visible(user=request.user, pk=pk)
    if endpoint is None:
        raise errors.WebhookNotFound()
    return endpoint


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class WebhookListView(generics.ListAPIView):
    """Your webhook endpoints (GET), or register one (POST; the secret is in this answer only)."""

    serializer_class = WebhookSerializer

    def get_queryset(self):
        return webhooks_visible(user=self.request.user)

    @extend_schema(request=WebhookCreateSerializer, responses={201: WebhookIssuedSerializer})
    def post(self, request):
        data = _valid(WebhookCreateSerializer, request)
        issued = services.webhook_create(
            user=request.user,
            url=data["url"],
            events=data.get("events"),
            data_source_id=data.get("data_source"),
            description=data.get("description", ""),
        )
        body = WebhookIssuedSerializer(issued.endpoint, context={"secret": issued.secret}).data
        return Response(body, status=201)


class WebhookDetailView(generics.GenericAPIView):
    """One endpoint: read, change (``is_active: true`` enables a disabled one), remove."""

    serializer_class = WebhookSerializer

    def get(self, request, pk: int):
        return Response(WebhookSerializer(_endpoint(request, pk)).data)

    @extend_schema(request=WebhookUpdateSerializer)
    def patch(self, request, pk: int):
        endpoint = _endpoint(request, pk)
        data = _valid(WebhookUpdateSerializer, request)
        endpoint = services.webhook_update(endpoint=endpoint, **data)
        return Response(WebhookSerializer(endpoint).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.webhook_delete(endpoint=_endpoint(request, pk))
        return Response(status=204)


class WebhookDeliveryListView(generics.ListAPIView):
    """The delivery log of an endpoint, newest first: status, attempts, last response code,
    last error and the next try."""

    serializer_class = WebhookDeliverySerializer

    def get_queryset(self):
        return deliveries_of(endpoint=_endpoint(self.request, self.kwargs["pk"]))
