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
    # The two Sluis roles first and plain; Django's permission lists folded away (Sluis does not
    # use them: roles and staff decide everything).
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            "Organization and roles",
            {"fields": ["organization", "display_name", "is_data_supplier", "is_data_consumer"]},
        ),
        ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
        ("Administration", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (
            "Django permissions (not used by Sluis)",
            {"fields": ["groups", "user_permissions"], "classes": ["collapse"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "usable_password", "password1", "password2"]}),
        ("Organization and roles", {"fields": ["organization", "is_data_supplier",
                                               "is_data_consumer"]}),
    ]  # fmt: skip
    readonly_fields = ["last_login", "date_joined"]
    actions = ["issue_token"]
    ROLE_HELP = {
        "is_data_supplier": "Supplier: may upload to the data sources of the user's organization.",
        "is_data_consumer": "Consumer: may read the stored data of the organization's and public "
        "data sources through the API.",
        "is_staff": "Staff: a platform administrator (this admin, every data source).",
    }

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        for name, text in self.ROLE_HELP.items():
            if name in form.base_fields:
                form.base_fields[name].help_text = text
        return form

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
