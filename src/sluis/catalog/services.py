"""Catalog services: creating data sources with their sync task."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from sluis.accounts.models import Organization, User
from sluis.catalog.errors import (
    DataSourceNotFound,
    InvalidDataSource,
    InvalidGrant,
    SyncTaskNotFound,
)
from sluis.catalog.models import DataSource, SyncTask, TaskType
from sluis.kinds import kind_names


@dataclass(frozen=True)
class CreatedSource:
    data_source: DataSource
    sync_task: SyncTask


@transaction.atomic
def data_source_create(
    *,
    owner: Organization,
    name: str,
    kind: str,
    description: str = "",
    uploadable: bool = True,
    private: bool = False,
    ingest_settings: dict | None = None,
) -> CreatedSource:
    """Create a data source and the ``data_source`` sync task that uploads address."""
    if kind not in kind_names():
        raise InvalidDataSource(f"Unknown kind {kind!r}; choose one of {', '.join(kind_names())}.")
    source = DataSource(
        owner=owner,
        name=name,
        kind=kind,
        description=description,
        uploadable=uploadable,
        private=private,
        ingest_settings=ingest_settings or {},
    )
    _full_clean(source)
    source.save()
    task = SyncTask.objects.create(
        name=name,
        description=description,
        owner=owner,
        task_type=TaskType.DATA_SOURCE,
        data_source=source,
        private=private,
    )
    return CreatedSource(data_source=source, sync_task=task)


@transaction.atomic
def data_source_get_or_create(
    *, owner: Organization, name: str, kind: str, **fields
) -> CreatedSource:
    """Idempotent variant used by ``sluis demo``: returns the existing source and its task."""
    source = DataSource.objects.filter(owner=owner, name=name).first()
    if source is None:
        return data_source_create(owner=owner, name=name, kind=kind, **fields)
    task = source.sync_tasks.filter(task_type=TaskType.DATA_SOURCE).order_by("id").first()
    if task is None:
        task = SyncTask.objects.create(name=name, owner=owner, data_source=source)
    return CreatedSource(data_source=source, sync_task=task)


def _full_clean(source: DataSource) -> None:
    taken = DataSource.objects.filter(owner_id=source.owner_id, name=source.name)
    if (other := taken.exclude(pk=source.pk).first()) is not None:
        raise InvalidDataSource(
            f"{source.owner.name!r} already has a data source named {source.name!r} "
            f"(id {other.pk}); change it with `sluis source update {other.pk}`."
        )
    try:
        source.full_clean()
    except ValidationError as exc:
        messages = "; ".join(
            " ".join(v) if k in ("__all__", "ingest_settings") else f"{k}: {' '.join(v)}"
            for k, v in exc.message_dict.items()
        )
        raise InvalidDataSource(messages) from exc


def data_source_get(*, pk: int) -> DataSource:
    """Data source ``pk`` (for administrators: no visibility rules)."""
    source = DataSource.objects.select_related("owner").filter(pk=pk).first()
    if source is None:
        raise DataSourceNotFound(f"No data source has id {pk}.")
    return source


def data_sources_list(*, owner: Organization | None = None) -> list[DataSource]:
    sources = DataSource.objects.select_related("owner").order_by("owner__name", "name")
    return list(sources.filter(owner=owner) if owner else sources)


def data_source_has_data(*, data_source: DataSource) -> bool:
    """Whether anything was ever uploaded: from then on the kind is fixed."""
    return data_source.uploads.exists()


@transaction.atomic
def data_source_update(
    *,
    data_source: DataSource,
    name: str | None = None,
    description: str | None = None,
    kind: str | None = None,
    uploadable: bool | None = None,
    private: bool | None = None,
    ingest_settings: dict | None = None,
    unset: tuple[str, ...] = (),
    replace_settings: bool = False,
) -> DataSource:
    """Change what is given (``None``: unchanged). ``ingest_settings`` are merged into the
    current ones (replace them with ``replace_settings``), then the ``unset`` keys removed; the
    result is validated against the kind. The kind is fixed once an upload exists. The sync
    tasks follow the name and ``private``."""
    if (
        kind is not None
        and kind != data_source.kind
        and data_source_has_data(data_source=data_source)
    ):
        raise InvalidDataSource(
            f"The kind of data source {data_source.pk} is fixed: it already has uploads."
        )
    merged = {} if replace_settings else dict(data_source.ingest_settings)
    merged.update(ingest_settings or {})
    for key in unset:
        merged.pop(key, None)
    data_source.ingest_settings = merged
    for field, value in {
        "name": name, "description": description, "kind": kind,
        "uploadable": uploadable, "private": private,
    }.items():  # fmt: skip
        if value is not None:
            setattr(data_source, field, value)
    _full_clean(data_source)
    data_source.save()
    _tasks_follow(data_source, renamed=name is not None, private=private)
    return data_source


def _tasks_follow(source: DataSource, *, renamed: bool, private: bool | None) -> None:
    tasks = source.sync_tasks.filter(task_type=TaskType.DATA_SOURCE)
    if renamed:
        tasks.update(name=source.name)
    if private is not None:
        tasks.update(private=private)


@transaction.atomic
def data_source_delete(*, data_source: DataSource) -> None:
    """Delete a data source that never received an upload, with its sync tasks (refused
    otherwise: its stored data would go with it; export it first and make it not uploadable)."""
    if data_source_has_data(data_source=data_source):
        raise InvalidDataSource(
            f"Data source {data_source.pk} has uploads and stored data; it is not deleted. "
            f"Stop new uploads with `sluis source update {data_source.pk} --not-uploadable`."
        )
    data_source.sync_tasks.all().delete()
    data_source.delete()


def sync_tasks_list(
    *, owner: Organization | None = None, data_source: DataSource | None = None
) -> list[SyncTask]:
    tasks = SyncTask.objects.select_related("owner", "data_source").order_by("id")
    if owner:
        tasks = tasks.filter(owner=owner)
    return list(tasks.filter(data_source=data_source) if data_source else tasks)


def sync_task_get(*, pk: int) -> SyncTask:
    task = SyncTask.objects.select_related("owner", "data_source").filter(pk=pk).first()
    if task is None:
        raise SyncTaskNotFound(f"No sync task has id {pk}.")
    return task


@transaction.atomic
def grant_add(*, data_source: DataSource, user: User) -> None:
    """Allow ``user`` (of another organization: a contractor) to upload to ``data_source``.

    Refused for a supplier of the owner organization, who may upload already. Idempotent.
    """
    if user.organization_id == data_source.owner_id and user.is_data_supplier:
        raise InvalidGrant(
            f"{user.username!r} is a data supplier of {data_source.owner.name!r} and may upload "
            "to its data sources already."
        )
    data_source.suppliers.add(user)


@transaction.atomic
def grant_remove(*, data_source: DataSource, user: User) -> None:
    """Withdraw the grant; refused (``invalid_grant``) when there is none."""
    if not data_source.suppliers.filter(pk=user.pk).exists():
        raise InvalidGrant(f"{user.username!r} has no grant on data source {data_source.pk}.")
    data_source.suppliers.remove(user)


def grants_list(
    *, data_source: DataSource | None = None, user: User | None = None
) -> list[tuple[DataSource, User]]:
    """Every grant as ``(data source, user)``, by data source and username."""
    through = DataSource.suppliers.through.objects.select_related(
        "datasource__owner", "user__organization"
    ).order_by("datasource_id", "user__username")
    if data_source:
        through = through.filter(datasource=data_source)
    if user:
        through = through.filter(user=user)
    return [(row.datasource, row.user) for row in through]


def sync_tasks_state_set(
    *,
    data_source_id: int,
    sync_task_id: int | None,
    sync_status: str,
    finished_at: datetime | None = None,
) -> None:
    """Show a data source's processing state on its sync tasks (the one addressed and every task
    of the data source), as Nexus clients poll them.

    Called in the transaction that stores an upload as queued (``harvesting`` from the moment
    of the 201, as the legacy ``/uploads/`` list already says) and in the one that records its
    end (``successful``/``failed`` with ``finished_at``); ``finished_at`` None keeps the last
    finish time.
    """
    fields: dict[str, object] = {"sync_status": sync_status}
    if finished_at is not None:
        fields["sync_last_finished"] = finished_at
    SyncTask.objects.filter(Q(pk=sync_task_id) | Q(data_source=data_source_id)).update(**fields)
