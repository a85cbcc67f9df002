"""Catalog services: creating data sources with their sync task."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from sluis.accounts.models import Organization
from sluis.catalog.errors import InvalidDataSource
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
    try:
        source.full_clean()
    except ValidationError as exc:
        messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise InvalidDataSource(messages) from exc
