"""The supplier pages. Thin: check access through the selectors, call one service, render.

Pages are HTML; every data operation in the browser (upload, status, previews) goes to the same
``/api/v1/`` endpoints as scripts do, authenticated by the session with CSRF enforced.
"""

from datetime import timedelta
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sluis.accounts.models import User
from sluis.accounts.services import token_create, token_revoke
from sluis.catalog.models import DataSource
from sluis.datastore.vector.selectors import data_source_readable
from sluis.errors import SluisError
from sluis.kinds import kind_find
from sluis.notifications.selectors import deliveries_of, event_names, webhook_visible
from sluis.notifications.services import webhook_create, webhook_delete, webhook_update
from sluis.web.forms import HistoryFilterForm, TokenForm, WebhookForm
from sluis.web.maps import map_preview
from sluis.web.presenters import upload_rows
from sluis.web.rules import example_file, source_rules
from sluis.web.security import signed_in_page
from sluis.web.selectors import (
    HISTORY_PAGE_SIZE,
    busy_upload,
    task_access,
    token_of,
    tokens_of,
    upload_history,
    upload_targets,
    webhook_scopes,
    webhooks_of,
)


def _page(request, template: str, context: dict, status: int = 200) -> TemplateResponse:
    return TemplateResponse(request, f"web/{template}", context, status=status)


@require_GET
@signed_in_page
def sources(request: HttpRequest) -> HttpResponse:
    return _page(request, "sources.html", {"tasks": upload_targets(user=request.user)})


@require_GET
@signed_in_page
def source(request: HttpRequest, task_id: int) -> HttpResponse:
    access = task_access(user=request.user, task_id=task_id)
    if access.task is None:
        return _page(request, "not_found.html", {}, status=404)
    if not access.can_upload:
        return _page(request, "forbidden.html", {"task": access.task}, status=403)
    data_source = access.task.data_source
    if data_source is None:  # can_upload implies one; a task without stays not found
        return _page(request, "not_found.html", {}, status=404)
    ingest = data_source.ingest_settings or {}
    context = {
        "task": access.task,
        "data_source": data_source,
        "busy": busy_upload(data_source=data_source),
        "rules": source_rules(kind=data_source.kind, settings=ingest),
        "has_example": example_file(kind=data_source.kind, name="", settings=ingest) is not None,
        "zone": ingest.get("timezone", ""),
        "max_upload_bytes": settings.SLUIS_MAX_UPLOAD_BYTES,
        "tile_url": settings.SLUIS_MAP_TILE_URL,
        "tile_attribution": settings.SLUIS_MAP_TILE_ATTRIBUTION,
        "preview": _preview(data_source.kind),
        **_history_context(request, data_source, task_id),
    }
    return _page(request, "source.html", context)


@require_GET
@signed_in_page
@never_cache
def history(request: HttpRequest, task_id: int) -> HttpResponse:
    """The upload history table alone (same filters and page as the source page's query),
    re-fetched by the page when an upload changes status."""
    access = task_access(user=request.user, task_id=task_id)
    data_source = access.task.data_source if access.task is not None else None
    if not access.can_upload or data_source is None:
        return _page(request, "not_found.html", {}, status=404)
    return _page(request, "history.html", _history_context(request, data_source, task_id))


def _history_context(request: HttpRequest, data_source: DataSource, task_id: int) -> dict:
    form = HistoryFilterForm(request.GET)
    uploads = upload_history(user=request.user, data_source=data_source, filters=form.filters())
    page = Paginator(uploads, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter_form": form,
        "filtered": any(form.filters().__dict__.values()),
        "history_page": page,
        "history_query": query.urlencode(),
        "rows": upload_rows(request=request, uploads=list(page.object_list)),
        "zone": (data_source.ingest_settings or {}).get("timezone", ""),
        "task_id": task_id,
    }


@require_GET
@signed_in_page
def example(request: HttpRequest, task_id: int) -> HttpResponse:
    """A small file generated from the source's settings that the source accepts as is."""
    access = task_access(user=request.user, task_id=task_id)
    source = access.task.data_source if access.task is not None else None
    if not access.can_upload or source is None:
        return _page(request, "not_found.html", {}, status=404)
    file = example_file(kind=source.kind, name=source.name, settings=source.ingest_settings or {})
    if file is None:
        return _page(request, "not_found.html", {}, status=404)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
@signed_in_page
@never_cache
def tokens(request: HttpRequest) -> HttpResponse:
    """List, and create, the user's own API tokens. A new token is shown in this response only."""
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        expires = timezone.now() + timedelta(days=days) if days else None
        user = cast(User, request.user)  # a signed-in page: never anonymous
        issued = token_create(user=user, name=form.cleaned_data["name"], expires_at=expires)
        form = TokenForm()
    context = {"form": form, "issued": issued, "tokens": tokens_of(user=request.user)}
    return _page(request, "tokens.html", context, status=400 if form.errors else 200)


@require_POST
@signed_in_page
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = token_of(user=request.user, token_id=token_id)
    if token is None:
        return _page(request, "not_found.html", {}, status=404)
    token_revoke(token=token)
    messages.success(
        request,
        _("Token %(prefix)s… (%(name)s) is revoked.")
        % {"prefix": token.prefix, "name": token.name or _("unnamed")},
    )
    return redirect("web-tokens")


def _preview(kind: str) -> str:
    """The preview the kind declares (``""``: none): the page loads its script and styles."""
    declared = kind_find(kind)
    return declared.preview if declared else ""


@require_http_methods(["GET", "POST"])
@signed_in_page
@never_cache
def webhooks(request: HttpRequest) -> HttpResponse:
    """List, and register, webhooks. A new endpoint's secret is shown in this response only."""
    form = WebhookForm(
        request.POST or None, scopes=webhook_scopes(user=request.user), events=event_names()
    )
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = webhook_create(
                user=request.user,
                url=data["url"],
                events=data["events"],
                data_source_id=data["scope"] or None,
                description=data["description"],
            )
        except SluisError as exc:
            form.add_error("url", exc.detail)
    endpoints = [
        {"endpoint": e, "deliveries": list(deliveries_of(endpoint=e)[:10])}
        for e in webhooks_of(user=request.user)
    ]
    context = {"form": form, "issued": issued, "endpoints": endpoints}
    return _page(request, "webhooks.html", context, status=400 if form.errors else 200)


@require_POST
@signed_in_page
def webhook_change(request: HttpRequest, webhook_id: int, action: str) -> HttpResponse:
    endpoint = webhook_visible(user=request.user, pk=webhook_id)
    if endpoint is None or action not in ("enable", "disable", "delete"):
        return _page(request, "not_found.html", {}, status=404)
    if action == "delete":
        webhook_delete(endpoint=endpoint)
    else:
        webhook_update(endpoint=endpoint, is_active=action == "enable")
    messages.success(request, f"Webhook {endpoint.url}: {action}d.")
    return redirect("web-webhooks")


@require_GET
@signed_in_page
def vector_map(request: HttpRequest, task_id: int) -> HttpResponse:
    """The map preview's GeoJSON: every stored feature, simplified or clustered (web/maps.py);
    readable by whoever may read the data source's features through the API."""
    task = task_access(user=request.user, task_id=task_id).task
    source = None
    if task is not None and task.data_source_id is not None:
        source = data_source_readable(user=request.user, pk=task.data_source_id)
    if source is None:
        body = {"detail": _("Not found."), "code": "not_found"}
        return JsonResponse(body, status=404)
    return JsonResponse(map_preview(data_source=source).as_geojson())
