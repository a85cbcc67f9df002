from django.contrib import admin

from sluis.catalog.models import DataSource, SyncTask


class SyncTaskInline(admin.TabularInline):
    model = SyncTask
    extra = 0
    fields = ["name", "task_type", "private", "sync_status", "sync_last_finished"]
    readonly_fields = ["sync_status", "sync_last_finished"]


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "kind", "uploadable", "private", "created"]
    list_filter = ["kind", "uploadable", "private", "owner"]
    search_fields = ["name", "description", "owner__name"]
    filter_horizontal = ["suppliers"]
    inlines = [SyncTaskInline]


@admin.register(SyncTask)
class SyncTaskAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "name",
        "owner",
        "task_type",
        "data_source",
        "private",
        "sync_status",
        "sync_last_finished",
    ]
    list_filter = ["task_type", "sync_status", "private", "owner"]
    search_fields = ["name", "description", "data_source__name"]
    autocomplete_fields = ["data_source"]
