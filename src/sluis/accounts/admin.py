from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from sluis.accounts.models import ApiToken, Organization, User
from sluis.accounts.services import token_create, token_revoke


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "created"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "display_name",
        "organization",
        "is_data_supplier",
        "is_data_consumer",
        "is_staff",
        "is_active",
    ]
    list_filter = ["organization", "is_data_supplier", "is_data_consumer", "is_staff", "is_active"]
    search_fields = ["username", "display_name", "email", "organization__name"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Sluis",
            {"fields": ["display_name", "organization", "is_data_supplier", "is_data_consumer"]},
        ),
    ]
    actions = ["issue_token"]

    @admin.action(description="Issue a new API token (shown once)")
    def issue_token(self, request, queryset):
        for user in queryset:
            issued = token_create(user=user, name="admin")
            self.message_user(
                request,
                f"New token for {user.username}: {issued.secret} (shown only now)",
                messages.WARNING,
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at", "user__organization"]
    search_fields = ["prefix", "name", "user__username"]
    readonly_fields = ["prefix", "created", "last_used_at", "revoked_at"]
    fields = ["user", "name", "expires_at", "prefix", "created", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        issued = token_create(user=obj.user, name=obj.name, expires_at=obj.expires_at)
        obj.pk, obj.prefix, obj.digest = issued.token.pk, issued.token.prefix, issued.token.digest
        self.message_user(
            request,
            f"Token created: {issued.secret} (copy it now: it is shown only once)",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token)
