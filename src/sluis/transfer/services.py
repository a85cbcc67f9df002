"""Exporting one data source to an archive and importing an archive as a new data source.

``source_export`` reads everything inside one read snapshot (PostgreSQL ``REPEATABLE READ``,
SQLite a deferred read transaction), so an upload processed meanwhile is either wholly in the
archive or not at all. ``source_import`` never touches an existing data source: it creates a
new one, and any refusal (corrupt, tampered, foreign-version or wrong-kind archive, unsafe
member names, a name already taken) leaves neither rows nor objects behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.db import DataError, IntegrityError, connection

import sluis
from sluis.accounts.models import Organization
from sluis.accounts.services import organization_get
from sluis.catalog.errors import InvalidDataSource
from sluis.catalog.models import DataSource, TaskType
from sluis.catalog.services import CreatedSource, data_source_create
from sluis.kinds import Exporter, Importer, kind_get
from sluis.transfer.archive import ArchiveReader, ArchiveWriter
from sluis.transfer.errors import (
    ExportOutputFailed,
    ExportSourceNotFound,
    ImportArchiveInvalid,
    ImportNameTaken,
)
from sluis.transfer.exporters import iso
from sluis.uploads.models import Upload
from sluis.uploads.storage import object_storage


def source_export(*, data_source_id: int, target: IO[bytes]) -> dict[str, Any]:
    """Write the data source ``data_source_id`` as an export archive to ``target`` (which is
    never seeked: a pipe works). Returns what the manifest says about it."""
    source = DataSource.objects.select_related("owner").filter(pk=data_source_id).first()
    if source is None:
        raise ExportSourceNotFound(f"No data source has the id {data_source_id}.")
    with _read_snapshot():
        writer = ArchiveWriter(target)
        counts = _exporter(source.kind)(data_source=source, writer=writer)
        manifest = _manifest(source, counts, writer)
        writer.finish(manifest)
    return {"data_source": source.pk, "name": source.name, "kind": source.kind, "counts": counts}


def _exporter(kind: str) -> Exporter:
    exporter = kind_get(kind).exporter
    if exporter is None:
        raise ExportSourceNotFound(f"Data sources of kind {kind!r} cannot be exported.")
    return exporter


def _importer(kind: str) -> Importer:
    importer = kind_get(kind).importer
    assert importer is not None  # the manifest's kind is one with an archive folder
    return importer


def source_export_file(*, data_source_id: int, path: Path) -> dict[str, Any]:
    """``source_export`` into ``path``, written beside it first and renamed when complete, so
    an interrupted export never leaves a truncated archive under the final name."""
    try:
        handle = tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
        )
    except OSError as exc:
        raise ExportOutputFailed(f"Cannot write beside {str(path)!r}: {exc.strerror}.") from exc
    try:
        with handle:
            result = source_export(data_source_id=data_source_id, target=handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except OSError as exc:  # disk full, the folder removed meanwhile, ...
        Path(handle.name).unlink(missing_ok=True)
        raise ExportOutputFailed(f"Writing {str(path)!r} failed: {exc}.") from exc
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return {**result, "output": str(path), "bytes": path.stat().st_size}


@contextmanager
def _read_snapshot() -> Iterator[None]:
    """One consistent view of the database for the whole export, taking no write lock.

    SQLite: a deferred transaction only reads (Django's own are ``IMMEDIATE`` there and would
    take the write lock) and in WAL mode keeps the snapshot of its first read.
    """
    if connection.in_atomic_block:  # already inside a transaction (tests): it is the snapshot
        yield
        return
    postgres = connection.vendor == "postgresql"
    begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if postgres else "BEGIN DEFERRED"
    with connection.cursor() as cursor:
        cursor.execute(begin)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")


def _manifest(source: DataSource, counts: dict[str, int], writer: ArchiveWriter) -> dict:
    task = source.sync_tasks.filter(task_type=TaskType.DATA_SOURCE).order_by("id").first()
    uploads = Upload.objects.filter(data_source=source)
    last = uploads.order_by("-received_at").values_list("received_at", flat=True).first()
    return {
        "sluis_version": sluis.__version__,
        "exported_at": iso(writer.stamp),
        "data_source": {
            "id": source.pk,
            "name": source.name,
            "kind": source.kind,
            "description": source.description,
            "private": source.private,
            "uploadable": source.uploadable,
            "ingest_settings": source.ingest_settings,
            "owner": source.owner.name,
            "created": iso(source.created),
        },
        "sync_task": None
        if task is None
        else {
            "id": task.pk,
            "name": task.name,
            "description": task.description,
            "private": task.private,
        },
        "counts": counts,
        "uploads": {"count": uploads.count(), "last_received_at": iso(last)},
    }


def source_import(*, path: Path, organization: str, name: str | None = None) -> dict[str, Any]:
    """Create a new data source of ``organization`` (named ``name``, else as exported) with its
    sync task and every stored record of the archive at ``path``. All or nothing."""
    owner = organization_get(name=organization)
    with ArchiveReader(path) as archive:
        target = name or archive.manifest["data_source"]["name"]
        if DataSource.objects.filter(owner=owner, name=target).exists():
            raise ImportNameTaken(
                f"{owner.name} already has a data source named {target!r}; nothing was imported. "
                "Pass --name to import it under another name."
            )
        saved: list[str] = []
        create = partial(_create, owner, target, archive.manifest, renamed=bool(name))
        try:
            created, counts = _importer(archive.kind)(archive=archive, create=create, saved=saved)
        except (DataError, IntegrityError) as exc:  # a value the checks above let through
            _objects_delete(saved)
            raise ImportArchiveInvalid(
                f"The archive holds a value Sluis cannot store ({exc})."
            ) from exc
        except BaseException:
            _objects_delete(saved)
            raise
    return {
        "data_source": created.data_source.pk,
        "sync_task": created.sync_task.pk,
        "name": created.data_source.name,
        "kind": created.data_source.kind,
        "counts": counts,
    }


def _create(owner: Organization, name: str, manifest: dict, *, renamed: bool) -> CreatedSource:
    meta = manifest["data_source"]
    try:
        created = data_source_create(
            owner=owner,
            name=name,
            kind=meta["kind"],
            description=_text(meta.get("description")),
            uploadable=meta.get("uploadable") is True,
            private=meta.get("private") is True,
            ingest_settings=meta.get("ingest_settings") or {},
        )
    except InvalidDataSource as exc:
        raise ImportArchiveInvalid(f"manifest.json: {exc.detail}") from exc
    task = manifest.get("sync_task")
    if isinstance(task, dict):
        created.sync_task.name = name if renamed else _text(task.get("name")) or name
        created.sync_task.description = _text(task.get("description"))
        created.sync_task.private = task.get("private") is True
        created.sync_task.save(update_fields=["name", "description", "private"])
    return created


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _objects_delete(keys: list[str]) -> None:
    storage = object_storage()
    for key in keys:
        storage.delete(key)


@contextmanager
def archive_spooled(stream: IO[bytes]) -> Iterator[Path]:
    """A ZIP needs random access: a piped archive is copied to a temporary file first."""
    folder = Path(tempfile.mkdtemp(prefix="sluis-import-"))
    path = folder / "archive.zip"
    try:
        with path.open("wb") as out:
            shutil.copyfileobj(stream, out, 1024 * 1024)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
