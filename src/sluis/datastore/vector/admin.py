from django.contrib import admin, messages

from sluis.datastore.vector.models import VectorVersion
from sluis.datastore.vector.services import vector_version_restore
from sluis.errors import SluisError


@admin.register(VectorVersion)
class VectorVersionAdmin(admin.ModelAdmin):
    """Vector versions, read-only; a kept (retired) version can be made current again."""

    list_display = [
        "id",
        "data_source",
        "state",
        "feature_count",
        "upload_id",
        "published",
        "retired_at",
    ]
    list_filter = ["state"]
    search_fields = ["data_source__name"]
    readonly_fields = [f.name for f in VectorVersion._meta.fields]
    actions = ["restore_versions"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Make the selected retired version current again")
    def restore_versions(self, request, queryset):
        for version in queryset:
            try:
                vector_version_restore(data_source_id=version.data_source_id, version_id=version.pk)
            except SluisError as exc:
                self.message_user(request, f"Version {version.pk}: {exc.detail}", messages.WARNING)
            else:
                self.message_user(
                    request, f"Version {version.pk} is current again.", messages.SUCCESS
                )
