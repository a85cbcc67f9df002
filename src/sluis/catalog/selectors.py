"""Queries over the catalog: what a user may see and where they may upload."""

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from sluis.catalog.models import DataSource, SyncTask, TaskType


def _public() -> Q:
    return Q(private=False) & (Q(data_source__isnull=True) | Q(data_source__private=False))


def _granted(user) -> Exists:
    grants = DataSource.suppliers.through.objects.filter(
        datasource_id=OuterRef("data_source_id"), user_id=user.pk
    )
    return Exists(grants)


def sync_tasks_visible(*, user) -> QuerySet[SyncTask]:
    """Sync tasks ``user`` may see: public ones, their organization's, and explicit grants.

    Anonymous callers see public tasks only; staff see everything.
    """
    tasks = SyncTask.objects.select_related("owner", "data_source").order_by("id")
    if user.is_authenticated and user.is_staff:
        return tasks
    if not user.is_authenticated:
        return tasks.filter(_public())
    visible = _public()
    if org := user.organization_id:  # no organization matches no owner (not a NULL owner)
        visible |= Q(owner_id=org) | Q(data_source__owner_id=org)
    return tasks.filter(visible | Q(_granted(user)))  # the subquery last: the costliest test


def sync_task_visible(*, user, pk: int) -> SyncTask | None:
    """Sync task ``pk`` if ``user`` may see it (the rules of ``sync_tasks_visible``), else None.

    One query by primary key, the rules checked on the row: filtering the visibility query down
    to one row costs several times more to build. A grant costs one more query.
    """
    task = SyncTask.objects.select_related("owner", "data_source").filter(pk=pk).first()
    return task if task is not None and _sees(user, task) else None


def _sees(user, task: SyncTask) -> bool:
    if user.is_authenticated and user.is_staff:
        return True
    if not task.is_private:
        return True
    if not user.is_authenticated:
        return False
    source, org = task.data_source, user.organization_id
    if org and (task.owner_id == org or (source is not None and source.owner_id == org)):
        return True
    return source is not None and _is_granted(user, source)


def _is_granted(user, source: DataSource) -> bool:
    grants = DataSource.suppliers.through.objects
    return grants.filter(datasource_id=source.pk, user_id=user.pk).exists()


def data_sources_visible(*, user) -> QuerySet[DataSource]:
    """Data sources ``user`` may see listed (``GET /data_sources/``), by the sync task rules:
    public ones for everybody, their organization's and explicit grants, all for staff."""
    sources = DataSource.objects.select_related("owner").order_by("id")
    if user.is_authenticated and user.is_staff:
        return sources
    public = Q(private=False)
    if not user.is_authenticated:
        return sources.filter(public)
    visible = public | Q(owner_id=user.organization_id) if user.organization_id else public
    grants = DataSource.suppliers.through.objects.filter(
        datasource_id=OuterRef("pk"), user_id=user.pk
    )
    return sources.filter(visible | Q(Exists(grants)))


def data_sources_with_upload_task(sources: QuerySet[DataSource]) -> QuerySet[DataSource]:
    """``sources`` annotated with ``upload_task_id``: their first ``data_source`` sync task."""
    tasks = SyncTask.objects.filter(
        data_source_id=OuterRef("pk"), task_type=TaskType.DATA_SOURCE
    ).order_by("id")
    return sources.annotate(upload_task_id=Subquery(tasks.values("pk")[:1]))


def uploadable_filter(value: bool) -> Q:
    uploadable = Q(task_type=TaskType.DATA_SOURCE, data_source__uploadable=True)
    return uploadable if value else ~uploadable


def private_filter(value: bool) -> Q:
    return ~_public() if value else _public()


def user_can_upload(*, user, data_source: DataSource) -> bool:
    """A Data Supplier of the owner organization, or a user explicitly granted the source."""
    if not user.is_authenticated:
        return False
    if user.is_data_supplier and user.organization_id == data_source.owner_id:
        return True
    return data_source.suppliers.filter(pk=user.pk).exists()


def data_sources_readable(*, user) -> QuerySet[DataSource]:
    """Data sources whose stored data ``user`` may read back.

    Members of the owner organization read its sources; Data Consumers also read every public
    source; staff read everything. Anonymous callers read nothing.
    """
    sources = DataSource.objects.select_related("owner")
    if not user.is_authenticated:
        return sources.none()
    if user.is_staff:
        return sources
    own = Q(owner_id=user.organization_id) if user.organization_id else Q(pk__in=[])
    return sources.filter(own | Q(private=False)) if user.is_data_consumer else sources.filter(own)
