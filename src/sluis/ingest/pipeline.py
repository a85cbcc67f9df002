"""The pipeline of one claimed upload: fetch, inspect, unpack, check the kind, process.

Everything happens in a private work folder (``$SLUIS_WORK_DIR/upload-<id>-<attempt>-*``, mode
0700) that is removed when the attempt ends, whatever the outcome; a folder left by a killed
worker is removed by the sweeper. The kind's processor gets ``Member`` objects under generated
names and reports its problems in ``report``; it writes only if it returns.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from sluis.formats.archives import gzip_extract, zip_extract
from sluis.formats.errors import IngestFailed
from sluis.formats.preflight import Inspection, single_target
from sluis.formats.records import Counts, Member, Report
from sluis.kinds import IngestJob, kind_find
from sluis.uploads.inspection import archive_budgets, upload_inspect
from sluis.uploads.models import Upload
from sluis.uploads.storage import object_storage

COPY_CHUNK = 1024 * 1024


def pipeline_run(*, upload: Upload, report: Report) -> Counts:
    """Run the whole pipeline for a claimed upload; raises ``IngestFailed`` (or ``Rejected``)."""
    data_source = upload.data_source
    kind = kind_find(data_source.kind)
    if kind is None:
        raise IngestFailed(f"No processor is installed for {data_source.kind} data sources.")
    with tempfile.TemporaryDirectory(prefix=work_dir_name(upload), dir=work_root()) as folder:
        work = Path(folder)
        original = fetch_original(upload, work / "original")
        inspection = upload_inspect(
            path=original, filename=upload.original_filename, kind=data_source.kind
        )
        members = unpack(original, upload.original_filename, inspection, work / "members")
        job = IngestJob(
            upload_id=upload.pk,
            data_source=data_source,
            ingest_settings=dict(data_source.ingest_settings or {}),
            members=members,
            received_at=upload.file_received_at,
            report=report,
        )
        return kind.processor.process(job)


def fetch_original(upload: Upload, target: Path) -> Path:
    """Copy the stored original to local disk (object storage may be S3)."""
    if not upload.storage_key:
        raise IngestFailed("The upload has no stored original to process.")
    if upload.original_purged_at is not None:
        raise IngestFailed("The stored original of this upload was purged (retention period).")
    storage = object_storage()
    if not storage.exists(upload.storage_key):
        raise IngestFailed("The stored original of this upload is gone (purged or deleted).")
    with storage.open(upload.storage_key, "rb") as source, target.open("xb") as out:
        shutil.copyfileobj(source, out, COPY_CHUNK)
    return target


def unpack(original: Path, filename: str, inspection: Inspection, dest: Path) -> list[Member]:
    """Members under generated names: the archive's planned members, or the file itself."""
    dest.mkdir(mode=0o700)
    limits = archive_budgets()
    if inspection.container == "zip":
        return zip_extract(original, inspection.plan, dest, limits)
    if inspection.container == "gzip":
        return [gzip_extract(original, inspection.plan[0], dest, limits)]
    target = dest / single_target(inspection.format, filename)
    original.rename(target)
    return [Member(target, filename, inspection.format, target.stat().st_size)]


def work_root() -> Path:
    """The parent of the attempts' private work folders (``$SLUIS_WORK_DIR``)."""
    root = Path(settings.SLUIS_WORK_DIR or settings.DATA_DIR / "work")
    root.mkdir(parents=True, exist_ok=True)
    return root


def work_dir_name(upload: Upload) -> str:
    """The prefix of an attempt's work folder; the sweeper parses it back."""
    return f"upload-{upload.pk}-{upload.attempts}-"
