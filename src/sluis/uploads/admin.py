from django.contrib import admin, messages

from sluis.errors import SluisError
from sluis.uploads.administration import (
    upload_fail_by_administrator,
    upload_reprocess,
    upload_requeue,
)
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
        "original_purged_at",
    ]
    list_filter = ["status", "data_source__kind", "data_source__owner"]
    search_fields = ["filename", "original_filename", "sha256", "data_source__name"]
    readonly_fields = [f.name for f in Upload._meta.fields]
    actions = ["fail_uploads", "requeue_uploads", "reprocess_uploads"]

    @admin.action(description="Fail selected uploads (frees their data sources)")
    def fail_uploads(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda pk: upload_fail_by_administrator(upload_id=pk, reason=""),
            "failed",
        )

    @admin.action(description="Requeue selected uploads (process them again)")
    def requeue_uploads(self, request, queryset):
        self._each(request, queryset, lambda pk: upload_requeue(upload_id=pk), "requeued")

    @admin.action(description="Reprocess selected finished uploads (as new uploads)")
    def reprocess_uploads(self, request, queryset):
        self._each(request, queryset, lambda pk: upload_reprocess(upload_id=pk), "reprocessed")

    def _each(self, request, queryset, action, verb: str) -> None:
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                action(pk)
                done += 1
            except SluisError as exc:
                self.message_user(request, f"Upload {pk}: {exc.detail}", messages.WARNING)
        if done:
            self.message_user(request, f"{done} upload(s) {verb}.", messages.SUCCESS)
