from django.contrib import admin

from sluis.uploads.models import Upload


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "filename",
        "data_source",
        "uploader",
        "status",
        "received_at",
        "finished_at",
        "size",
    ]
    list_filter = ["status", "data_source__kind", "data_source__owner"]
    search_fields = ["filename", "original_filename", "sha256", "data_source__name"]
    readonly_fields = [f.name for f in Upload._meta.fields]
