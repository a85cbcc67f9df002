"""Uploads in the admin: read-only records (uploads arrive through the API, never "Add"), with
the administrator's actions behind a confirmation page: fail, requeue, reprocess."""

from django.contrib import admin

from sluis.accounts.admin_tools import confirmed_action
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

    def has_add_permission(self, request) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The record is read-only: no Save buttons (the actions change an upload)."""
        extra = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    @admin.action(description="Fail selected uploads (frees their data sources)")
    def fail_uploads(self, request, queryset):
        return confirmed_action(
            request=request,
            queryset=queryset,
            action="fail_uploads",
            question="These uploads will be marked failed; their data sources accept uploads "
            "again. The reason is shown to the supplier.",
            verb="fail these uploads",
            apply=lambda pk: upload_fail_by_administrator(
                upload_id=pk, reason=request.POST.get("reason", "")
            ),
            extra_fields=(("reason", "Reason (shown to the supplier)"),),
        )

    @admin.action(description="Requeue selected uploads (process them again)")
    def requeue_uploads(self, request, queryset):
        return confirmed_action(
            request=request,
            queryset=queryset,
            action="requeue_uploads",
            question="These failed or stuck uploads will be queued and processed again.",
            verb="requeue these uploads",
            apply=lambda pk: upload_requeue(upload_id=pk),
        )

    @admin.action(description="Reprocess selected finished uploads (as new uploads)")
    def reprocess_uploads(self, request, queryset):
        return confirmed_action(
            request=request,
            queryset=queryset,
            action="reprocess_uploads",
            question="Each finished upload will be processed again from its stored original, "
            "as a new upload; its data is written again with the kind's usual rule.",
            verb="reprocess these uploads",
            apply=lambda pk: upload_reprocess(upload_id=pk),
        )
