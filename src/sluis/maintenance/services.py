"""Maintenance: purge what is past its retention, sweep what nothing refers to.

``retention_purge`` removes stored originals and error reports of finished uploads after
``SLUIS_ORIGINAL_RETENTION_DAYS`` / ``SLUIS_ERROR_REPORT_RETENTION_DAYS`` (0: kept forever) and
retired vector versions after ``SLUIS_VECTOR_VERSION_RETENTION_DAYS``; the upload rows stay and
record the purge. ``storage_sweep`` removes objects no row refers to (a killed process left
them), spool files and abandoned vector versions, once older than an age guard.

Both never touch a busy upload or a busy data source, are safe to run on several machines at
once (every removal is decided by a conditional update or a re-check) and have a dry run that
counts the same things without removing them (decision 0012).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sluis.datastore.vector.models import VectorVersion, VersionState
from sluis.datastore.vector.services import vector_version_delete, vector_versions_expired
from sluis.kinds import ReferencedKeys, kinds_all
from sluis.maintenance.storage import StoredObject, objects_list
from sluis.uploads.models import FINISHED_STATUSES, Upload
from sluis.uploads.naming import ORIGINALS_PREFIX
from sluis.uploads.storage import IMPORT_FOLDER_PREFIX, object_storage, spool_dir

log = logging.getLogger(__name__)


@dataclass
class Freed:
    """How many things were (or, in a dry run, would be) removed, and their bytes."""

    count: int = 0
    bytes: int = 0

    def add(self, size: int) -> None:
        self.count += 1
        self.bytes += size


# --- retention --------------------------------------------------------------------------------


@dataclass
class PurgeResult:
    dry_run: bool
    originals: Freed = field(default_factory=Freed)
    error_reports: Freed = field(default_factory=Freed)
    vector_versions: int = 0
    vector_features: int = 0

    def as_dict(self) -> dict:
        data = asdict(self)
        data["bytes"] = self.originals.bytes + self.error_reports.bytes
        return data


def retention_purge(*, dry_run: bool = False) -> PurgeResult:
    """Remove originals, error reports and retired vector versions past their retention."""
    now = timezone.now()
    result = PurgeResult(dry_run=dry_run)
    if days := settings.SLUIS_ORIGINAL_RETENTION_DAYS:
        _purge_originals(now - timedelta(days=days), now, result.originals, dry_run)
    if days := settings.SLUIS_ERROR_REPORT_RETENTION_DAYS:
        _purge_reports(now - timedelta(days=days), result.error_reports, dry_run)
    _purge_versions(result, dry_run)
    return result


def _purge_originals(cutoff: datetime, now: datetime, freed: Freed, dry_run: bool) -> None:
    """An original goes once every upload using it (the receiving one and its reprocesses)
    finished before the cutoff: a recent reprocess keeps the file as long as the receipt did."""
    due = (
        Upload.objects.filter(
            original_purged_at=None, status__in=FINISHED_STATUSES, finished_at__lt=cutoff
        )
        .exclude(storage_key="")
        .order_by("storage_key")  # not the model's ordering: DISTINCT would include its columns
        .values_list("storage_key", flat=True)
        .distinct()
    )
    for key in list(due):
        size = _purge_original(key, cutoff, now, dry_run)
        if size is not None:
            freed.add(size)


def _purge_original(key: str, cutoff: datetime, now: datetime, dry_run: bool) -> int | None:
    with transaction.atomic():
        rows = list(Upload.objects.select_for_update().filter(storage_key=key))
        if not rows or any(not _finished_before(row, cutoff) for row in rows):
            return None
        if not dry_run:
            Upload.objects.filter(pk__in=[row.pk for row in rows]).update(original_purged_at=now)
    if not dry_run:
        object_storage().delete(key)
        log.info("purged the original %s of upload(s) %s", key, [row.pk for row in rows])
    return rows[0].size


def _finished_before(row: Upload, cutoff: datetime) -> bool:
    return (
        row.status in FINISHED_STATUSES
        and row.finished_at is not None
        and (row.finished_at < cutoff or row.original_purged_at is not None)
    )


def _purge_reports(cutoff: datetime, freed: Freed, dry_run: bool) -> None:
    storage = object_storage()
    due = Upload.objects.filter(status__in=FINISHED_STATUSES, finished_at__lt=cutoff).exclude(
        error_report_key=""
    )
    for pk, key in list(due.values_list("pk", "error_report_key")):
        size = storage.size(key) if storage.exists(key) else 0
        if not dry_run:
            # conditional: a requeue since the listing keeps its (new) report
            if not due.filter(pk=pk, error_report_key=key).update(error_report_key=""):
                continue
            storage.delete(key)
        freed.add(size)


def _purge_versions(result: PurgeResult, dry_run: bool) -> None:
    expired = vector_versions_expired().exclude(data_source_id__in=_busy_sources())
    for version in list(expired):
        if not dry_run:
            vector_version_delete(version=version)
        result.vector_versions += 1
        result.vector_features += version.feature_count


def _busy_sources() -> set[int]:
    return set(Upload.objects.busy().values_list("data_source_id", flat=True))


# --- orphans ----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    dry_run: bool
    spool_files: Freed = field(default_factory=Freed)
    objects: dict[str, Freed] = field(default_factory=dict)
    vector_versions: int = 0

    def as_dict(self) -> dict:
        orphans = self.objects.values()
        return {
            "dry_run": self.dry_run,
            "spool_files": self.spool_files.count,
            "orphan_objects": sum(freed.count for freed in orphans),
            "bytes": self.spool_files.bytes + sum(freed.bytes for freed in orphans),
            "objects": {prefix: asdict(freed) for prefix, freed in self.objects.items()},
            "vector_versions": self.vector_versions,
        }


def _originals(keys: list[str]) -> set[str]:
    rows = Upload.objects.filter(storage_key__in=keys, original_purged_at=None)
    return set(rows.values_list("storage_key", flat=True))


def _reports(keys: list[str]) -> set[str]:
    rows = Upload.objects.filter(error_report_key__in=keys)
    return set(rows.values_list("error_report_key", flat=True))


def references() -> dict[str, ReferencedKeys]:
    """Prefix -> the keys of a batch that rows refer to; every object Sluis stores is under one:
    the uploads' originals and error reports, and the prefixes each kind declares."""
    found: dict[str, ReferencedKeys] = {ORIGINALS_PREFIX: _originals, "reports": _reports}
    for kind in kinds_all():
        found.update(kind.stored_objects)
    return found


def storage_sweep(*, older_than: timedelta, dry_run: bool = False) -> SweepResult:
    """Remove what nothing refers to, once older than ``older_than``.

    - spool files (a body being received when its web process died);
    - objects under every prefix Sluis writes (originals, raster COGs, files and thumbnails,
      error reports) that no row refers to: a process died between storing and recording, or
      a deletion after a commit failed. Objects of a busy data source are left alone, whatever
      their age, since its running upload may not have recorded them yet;
    - vector versions left ``building`` by a killed worker on an idle data source.
    """
    cutoff = timezone.now() - older_than
    result = SweepResult(dry_run=dry_run)
    _sweep_spool(cutoff, result.spool_files, dry_run)
    busy = _busy_sources()
    busy_uploads = set(Upload.objects.busy().values_list("pk", flat=True))
    storage = object_storage()
    for prefix, referenced in references().items():
        freed = result.objects.setdefault(prefix, Freed())
        for batch in objects_list(storage, prefix):
            for item in _orphans(batch, referenced, cutoff, busy, busy_uploads):
                if not dry_run:
                    storage.delete(item.key)
                freed.add(item.size)
    result.vector_versions = _sweep_building(cutoff, busy, dry_run)
    return result


def _orphans(
    batch: list[StoredObject], referenced, cutoff: datetime, busy: set[int], uploads: set[int]
) -> Iterable[StoredObject]:
    old = [
        item for item in batch if item.modified < cutoff and not _in_use(item.key, busy, uploads)
    ]
    if not old:
        return []
    known = referenced([item.key for item in old])
    return [item for item in old if item.key not in known]


def _in_use(key: str, busy_sources: set[int], busy_uploads: set[int]) -> bool:
    """``<prefix>/<data source>/...`` of a busy data source, or the report of a busy upload."""
    parts = key.split("/")
    if parts[0] == "reports":
        number = parts[-1].removeprefix("upload-").split("-", 1)[0]
        return number.isdigit() and int(number) in busy_uploads
    return len(parts) > 2 and parts[1].isdigit() and int(parts[1]) in busy_sources


def _sweep_spool(cutoff: datetime, freed: Freed, dry_run: bool) -> None:
    folder = spool_dir()
    if not folder.exists():
        return
    for path in folder.iterdir():
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        if stat.st_mtime >= cutoff.timestamp():
            continue
        if path.is_file():
            if not dry_run:
                path.unlink(missing_ok=True)
            freed.add(stat.st_size)
        elif path.is_dir() and path.name.startswith(IMPORT_FOLDER_PREFIX):
            size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
            if not dry_run:
                shutil.rmtree(path, ignore_errors=True)  # what a killed `sluis source import` left
            freed.add(size)


def _sweep_building(cutoff: datetime, busy: set[int], dry_run: bool) -> int:
    """Versions a killed worker left ``building``; the next upload would remove them too, but
    a data source that gets none would keep their rows forever."""
    abandoned = VectorVersion.objects.filter(
        state=VersionState.BUILDING, created__lt=cutoff
    ).exclude(data_source_id__in=busy)
    removed = 0
    for version in list(abandoned):
        if not dry_run:
            vector_version_delete(version=version)
        removed += 1
    return removed
