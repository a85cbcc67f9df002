from django.contrib import admin

from sluis.accounts.admin_tools import confirmed_action
from sluis.datastore.vector.models import VectorVersion
from sluis.datastore.vector.services import vector_version_restore


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
        sources = dict(queryset.values_list("pk", "data_source_id"))
        return confirmed_action(
            request=request,
            queryset=queryset,
            action="restore_versions",
            question="Each version's features become its data source's current features in one "
            "switch; the version they replace is kept, so this can be undone.",
            verb="make these versions current",
            apply=lambda pk: vector_version_restore(data_source_id=sources[pk], version_id=pk),
        )
