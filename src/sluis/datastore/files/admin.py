from django.contrib import admin

from sluis.datastore.files.models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    """Read-only: stored files change only through uploads, so bytes and rows stay in step."""

    list_display = ["id", "name", "data_source", "format", "size", "timestamp", "updated"]
    list_filter = ["format", "timestamp_source", "data_source__owner"]
    search_fields = ["name", "original_filename", "sha256", "data_source__name"]
    readonly_fields = [f.name for f in StoredFile._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
