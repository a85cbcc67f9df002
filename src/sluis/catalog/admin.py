"""Data sources and sync tasks in the admin.

The ingest settings are form fields, one per key of the kind registry (``SettingKey``: type,
allowed values, help), never a raw JSON box; the kind is fixed once the data source has an
upload; the suppliers picker offers only users with the supplier role.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from sluis.accounts.models import User
from sluis.catalog.ingest_settings import ingest_settings_validate
from sluis.catalog.models import DataSource, SyncTask
from sluis.catalog.services import data_source_has_data
from sluis.kinds import SettingKey, kinds_all

PREFIX = "setting_"


def _keys(kind: str | None) -> dict[str, tuple[SettingKey, list[str]]]:
    """Each settings key of ``kind`` (of every kind when ``None``) and the kinds reading it."""
    keys: dict[str, tuple[SettingKey, list[str]]] = {}
    for declared in kinds_all():
        if kind is None or declared.name == kind:
            for key in declared.settings:
                keys.setdefault(key.name, (key, []))[1].append(declared.name)
    return keys


def _field(key: SettingKey, kinds: list[str], all_kinds: bool) -> forms.Field:
    help_text = key.help + (f" (kinds: {', '.join(kinds)})" if all_kinds else "")
    if str not in key.types:
        return forms.JSONField(required=False, help_text=help_text, label=key.name)
    if key.choices:
        choices = [("", "(default)"), *((c, "tab" if c == "\t" else c) for c in key.choices)]
        return forms.ChoiceField(
            required=False, choices=choices, help_text=help_text, label=key.name
        )
    return forms.CharField(required=False, help_text=help_text, label=key.name, strip=True)


class DataSourceForm(forms.ModelForm):
    """The ingest settings as one field per key the kind reads (all kinds' keys on "Add",
    each naming its kinds); an empty field leaves the key out. The model's ``clean`` checks the
    result against the chosen kind."""

    class Meta:
        model = DataSource
        fields = ["owner", "name", "kind", "description", "uploadable", "private", "suppliers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.ingest_settings or {}
        for name, value in current.items():
            if PREFIX + name in self.fields:
                self.initial[PREFIX + name] = value
        picker = self.fields.get("suppliers")
        if isinstance(picker, forms.ModelMultipleChoiceField):
            suppliers = User.objects.filter(is_data_supplier=True, is_active=True)
            picker.queryset = suppliers.select_related("organization")
            picker.help_text = (
                "Users with the supplier role of other organizations allowed to upload here "
                "(the owner's suppliers may upload already)."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        settings = {}
        for name, value in cleaned.items():
            if name.startswith(PREFIX) and value not in (None, "", [], {}):
                settings[name.removeprefix(PREFIX)] = value
        try:
            ingest_settings_validate(kind=cleaned.get("kind") or self.instance.kind, value=settings)
        except ValidationError as exc:
            # The form shows the error; the model keeps its last valid settings so that its own
            # check (run next, on a field the form does not have) passes.
            key = next((n for n in settings if repr(n) in exc.messages[0]), None)
            self.add_error(PREFIX + key if key else None, exc)
        else:
            self.instance.ingest_settings = settings
        return cleaned


def settings_form(kind: str | None) -> type[DataSourceForm]:
    """``DataSourceForm`` with a declared field per settings key of ``kind`` (all: ``None``)."""
    fields = {
        PREFIX + name: _field(key, kinds, all_kinds=kind is None)
        for name, (key, kinds) in _keys(kind).items()
    }
    return type("DataSourceSettingsForm", (DataSourceForm,), fields)


class SyncTaskInline(admin.TabularInline):
    model = SyncTask
    extra = 0
    fields = ["name", "task_type", "private", "sync_status", "sync_last_finished"]
    readonly_fields = ["sync_status", "sync_last_finished"]


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    form = DataSourceForm
    list_display = ["name", "owner", "kind", "uploadable", "private", "created"]
    list_filter = ["kind", "uploadable", "private", "owner"]
    search_fields = ["name", "description", "owner__name"]
    filter_horizontal = ["suppliers"]
    inlines = [SyncTaskInline]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["created"]
        if obj is not None:
            fixed.append("owner")  # moving a source would hand its data to another party
            if data_source_has_data(data_source=obj):
                fixed.append("kind")
        return fixed

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = settings_form(obj.kind if obj is not None else None)
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        settings = [PREFIX + name for name in _keys(obj.kind if obj is not None else None)]
        main = ["owner", "name", "kind", "description", "uploadable", "private", "created"]
        return [
            (None, {"fields": main}),
            ("Ingest settings", {"fields": settings, "description": _settings_note(obj)}),
            ("Contractors", {"fields": ["suppliers"]}),
        ]


def _settings_note(obj) -> str:
    if obj is None:
        return "Fill in only the settings of the chosen kind; empty fields use the default."
    return f"The settings a {obj.kind} data source reads; empty fields use the default."


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
    readonly_fields = ["sync_status", "sync_last_finished", "created"]
