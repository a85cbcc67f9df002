"""Forms of the supplier pages."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sluis.uploads.models import UploadStatus
from sluis.web.selectors import HistoryFilter


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. the script or machine that uses it."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Leave empty for a token that does not expire."),
    )


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=2000,
        help_text="Where Sluis POSTs signed messages (https://).",
    )
    scope = forms.TypedChoiceField(
        label="For",
        coerce=int,
        help_text="One data source, or every data source of your organization.",
    )
    events = forms.MultipleChoiceField(
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text="What to be told about.",
    )
    description = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, scopes: list[tuple[int, str]], events: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["scope"]).choices = scopes
        cast(forms.MultipleChoiceField, self.fields["events"]).choices = [(e, e) for e in events]
        self.fields["events"].initial = events


STATUS_LABELS = {
    UploadStatus.QUEUED: _("queued"),
    UploadStatus.PROCESSING: _("processing"),
    UploadStatus.SUCCEEDED: _("succeeded"),
    UploadStatus.FAILED: _("failed"),
}


class HistoryFilterForm(forms.Form):
    """The history's filters, read from the query string (a GET form: links can be shared)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("any"))] + [(str(k), v) for k, v in STATUS_LABELS.items()],
    )
    received_from = forms.DateField(label=_("Received from"), required=False)
    received_to = forms.DateField(label=_("Received until"), required=False)
    name = forms.CharField(label=_("File name contains"), required=False, max_length=200)

    def filters(self) -> HistoryFilter:
        """The valid filters; an invalid field (a mistyped date) filters nothing."""
        self.is_valid()
        data = self.cleaned_data
        return HistoryFilter(
            status=data.get("status", ""),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            name=data.get("name", ""),
        )
