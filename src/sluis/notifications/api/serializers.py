"""How webhooks look in the API. Input serializers only check shapes; services decide."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sluis.config.serializers import ModelSerializer
from sluis.notifications.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from sluis.text import datetime_text

EVENTS = serializers.ListField(
    child=serializers.ChoiceField(choices=WebhookEvent.values), allow_empty=False, required=False
)


class WebhookCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000)
    events = EVENTS
    data_source = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class WebhookUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, required=False)
    events = EVENTS
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class WebhookSerializer(ModelSerializer):
    """An endpoint: its scope, events and state. The secret is never shown again."""

    scope = serializers.SerializerMethodField()
    data_source = serializers.IntegerField(source="data_source_id", allow_null=True)
    organization = serializers.SerializerMethodField()
    owner = serializers.CharField(source="owner.username")

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "scope",
            "data_source",
            "organization",
            "owner",
            "is_active",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "created",
        ]

    def get_scope(self, endpoint: WebhookEndpoint) -> str:
        return "data_source" if endpoint.data_source_id else "organization"

    def get_organization(self, endpoint: WebhookEndpoint) -> str | None:
        return endpoint.organization.name if endpoint.organization is not None else None


class WebhookIssuedSerializer(WebhookSerializer):
    """The 201 body: the endpoint and its signing secret, shown this once."""

    secret = serializers.SerializerMethodField()

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]

    def get_secret(self, endpoint: WebhookEndpoint) -> str:
        return self.context["secret"]


class WebhookDeliverySerializer(ModelSerializer):
    """One entry of an endpoint's delivery log."""

    upload = serializers.IntegerField(source="upload_id", allow_null=True)
    next_attempt_at = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "upload",
            "message_id",
            "status",
            "attempts",
            "last_response_code",
            "last_error",
            "created",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
        ]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_next_attempt_at(self, delivery: WebhookDelivery) -> str | None:
        return datetime_text(delivery.next_attempt_at) if delivery.status == "pending" else None
