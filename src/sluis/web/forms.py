"""Forms of the supplier pages."""

from typing import cast

from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="What the token is for, e.g. the script or machine that uses it.",
    )
    expires_in_days = forms.IntegerField(
        label="Expires after (days)",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Leave empty for a token that does not expire.",
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
