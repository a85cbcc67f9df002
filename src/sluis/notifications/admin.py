from django.contrib import admin

from sluis.notifications.models import (
    SourceMailing,
    SummarySubscription,
    WebhookDelivery,
    WebhookEndpoint,
)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["id", "url", "owner", "organization", "data_source", "is_active", "created"]
    list_filter = ["is_active"]
    search_fields = ["url", "owner__username", "description"]
    readonly_fields = ["owner", "failing_since", "disabled_at", "created"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "endpoint", "event", "upload", "status", "attempts", "created"]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]


@admin.register(SourceMailing)
class SourceMailingAdmin(admin.ModelAdmin):
    list_display = ["data_source", "failure_recipients"]


@admin.register(SummarySubscription)
class SummarySubscriptionAdmin(admin.ModelAdmin):
    list_display = ["organization", "recipients", "last_sent_for"]
