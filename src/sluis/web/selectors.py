"""Queries behind the supplier pages. Same rules as the API: the catalog selectors decide.

A page shows a sync task only if ``sync_tasks_visible`` lets the user see it, and offers an
upload only if ``user_can_upload`` says yes; nothing here widens what the API allows.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from sluis.accounts.models import ApiToken
from sluis.catalog.models import DataSource, SyncTask
from sluis.catalog.selectors import sync_tasks_visible, uploadable_filter, user_can_upload
from sluis.notifications.selectors import webhooks_visible
from sluis.uploads.models import Upload
from sluis.uploads.selectors import uploads_visible

HISTORY_PAGE_SIZE = 20


def _uploadable_by(user) -> Q:
    """Tasks whose data source ``user`` may upload to (``user_can_upload`` as a query)."""
    granted = DataSource.suppliers.through.objects.filter(
        datasource_id=OuterRef("data_source_id"), user_id=user.pk
    )
    own = Q(data_source__owner_id=user.organization_id) if user.is_data_supplier else Q(pk=None)
    return own | Q(Exists(granted))


def upload_targets(*, user) -> QuerySet[SyncTask]:
    """ "My data sources": uploadable sync tasks ``user`` may upload to, with their last upload.

    Each task carries ``last_upload_id``, ``last_upload_status``, ``last_upload_received`` and
    ``last_upload_filename`` (None when nothing was uploaded yet).
    """
    if not user.is_authenticated:
        return SyncTask.objects.none()
    last = (
        uploads_visible(user=user)
        .filter(data_source_id=OuterRef("data_source_id"))
        .order_by("-received_at", "-id")
    )
    tasks = (
        sync_tasks_visible(user=user).filter(uploadable_filter(True)).filter(_uploadable_by(user))
    )
    return tasks.annotate(
        last_upload_id=Subquery(last.values("id")[:1]),
        last_upload_status=Subquery(last.values("status")[:1]),
        last_upload_received=Subquery(last.values("received_at")[:1]),
        last_upload_filename=Subquery(last.values("original_filename")[:1]),
    ).order_by("data_source__name", "id")


@dataclass(frozen=True)
class TaskAccess:
    """A sync task as a page sees it: ``task`` is None when it is invisible (a 404)."""

    task: SyncTask | None
    can_upload: bool


def task_access(*, user, task_id: int) -> TaskAccess:
    """The visible sync task ``task_id`` and whether ``user`` may upload to it."""
    task = sync_tasks_visible(user=user).filter(pk=task_id).first()
    if task is None:
        return TaskAccess(task=None, can_upload=False)
    source = task.data_source
    allowed = (
        task.uploadable and source is not None and user_can_upload(user=user, data_source=source)
    )
    return TaskAccess(task=task, can_upload=allowed)


@dataclass(frozen=True)
class HistoryFilter:
    """What the history shows: a status, a received date range (inclusive days, UTC) and a
    part of the original file name; empty values filter nothing."""

    status: str = ""
    received_from: date | None = None
    received_to: date | None = None
    name: str = ""


def upload_history(
    *, user, data_source: DataSource, filters: HistoryFilter | None = None
) -> QuerySet[Upload]:
    """The uploads of ``data_source`` that ``user`` may see (the API's rule: their own, their
    organization's, or the owner organization's when they belong to it), newest first."""
    uploads = uploads_visible(user=user).filter(data_source=data_source)
    f = filters or HistoryFilter()
    if f.status:
        uploads = uploads.filter(status=f.status)
    if f.received_from:
        uploads = uploads.filter(received_at__date__gte=f.received_from)
    if f.received_to:
        uploads = uploads.filter(received_at__date__lte=f.received_to)
    if f.name:
        uploads = uploads.filter(original_filename__icontains=f.name)
    return uploads.select_related("uploader").order_by("-received_at", "-id")


def busy_upload(*, data_source: DataSource) -> Upload | None:
    """The upload keeping ``data_source`` busy (queued or processing), if any."""
    return Upload.objects.busy().filter(data_source=data_source).first()


def tokens_of(*, user) -> QuerySet[ApiToken]:
    """``user``'s own API tokens, newest first (revoked and expired ones included)."""
    return ApiToken.objects.filter(user=user).order_by("-created", "-id")


def token_of(*, user, token_id: int) -> ApiToken | None:
    """One of ``user``'s own tokens; another user's token is None, exactly like a missing one."""
    return ApiToken.objects.filter(user=user, pk=token_id).first()


def webhooks_of(*, user) -> QuerySet:
    """The webhook endpoints ``user`` manages (see ``notifications.selectors``)."""
    return webhooks_visible(user=user).order_by("pk")


def webhook_scopes(*, user) -> list[tuple[int, str]]:
    """Choices for a new webhook: 0 for the whole organization (Data Suppliers), then each data
    source ``user`` may upload to."""
    scopes = []
    if user.is_data_supplier and user.organization_id:
        scopes.append((0, f"All data sources of {user.organization.name}"))
    for task in upload_targets(user=user):
        if task.data_source is not None:
            scopes.append((task.data_source.pk, task.data_source.name))
    return list(dict.fromkeys(scopes))
