"""What the admin pages share: a confirmation page for actions that change data, and the
site's branding."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from sluis.errors import SluisError

admin.site.site_header = "Sluis administration"
admin.site.site_title = "Sluis"
admin.site.index_title = "Organizations, people, data sources and uploads"


def confirmed_action(
    *,
    request,
    queryset,
    action: str,
    question: str,
    verb: str,
    apply: Callable[[int], object],
    extra_fields: tuple[tuple[str, str], ...] = (),
):
    """First call: a page listing the selected objects and asking ``question``; after "Yes":
    ``apply(pk)`` for each, reporting each refusal (a ``SluisError``) and the count done."""
    if request.POST.get("confirmed") != "yes":
        fields = [{"name": name, "label": label} for name, label in extra_fields]
        context = {
            **admin.site.each_context(request),
            "title": f"Are you sure you want to {verb}?",
            "question": question,
            "queryset": queryset,
            "action": action,
            "verb": verb,
            "extra_fields": fields,
        }
        return TemplateResponse(request, "admin/sluis/confirm_action.html", context)
    done = 0
    for pk in queryset.values_list("pk", flat=True):
        try:
            apply(pk)
            done += 1
        except SluisError as exc:
            messages.warning(request, f"{queryset.model._meta.verbose_name} {pk}: {exc.detail}")
    if done:
        messages.success(request, f"{done} done: {verb}.")
    return None
