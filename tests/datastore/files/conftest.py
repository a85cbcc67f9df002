"""Running the ``file`` processor the way the engine does: an IngestJob of sniffed members."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage

from sluis.formats.errors import IngestFailed
from sluis.formats.records import Counts, Member
from sluis.kinds import IngestJob, kind_get
from sluis.uploads.models import Upload, UploadStatus
from sluis.uploads.storage import object_storage

RECEIVED = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


@dataclass
class Outcome:
    counts: Counts | None
    job: IngestJob
    failure: IngestFailed | None

    @property
    def problems(self):
        return self.job.report.problems

    @property
    def warnings(self):
        return self.job.report.warnings


@pytest.fixture(autouse=True)
def own_object_storage(settings, tmp_path):
    """Each test gets an empty object store, so left-over objects are always this test's."""
    storages = dict(settings.STORAGES)
    storages["sluis"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "objects"},
    }
    settings.STORAGES = storages


@pytest.fixture
def photos(make_source):
    """A private ``file`` data source of ``org`` with default settings."""
    return make_source(name="Field photos", kind="file", private=True).data_source


@pytest.fixture
def run_job(tmp_path, django_capture_on_commit_callbacks):
    """Process ``[(name, bytes, format), ...]`` into ``source``; returns an ``Outcome``.

    After-commit callbacks run, as they would outside the test transaction."""
    made = iter(range(10_000))

    def run(source, files, settings=None, received_at=RECEIVED):
        members = []
        for name, data, fmt in files:
            path = tmp_path / f"member-{next(made)}"
            path.write_bytes(data)
            members.append(Member(path=path, name=name, format=fmt, size=len(data)))
        upload = Upload.objects.create(
            data_source=source,
            original_filename="upload.zip",
            filename="upload.zip",
            received_at=received_at,
            status=UploadStatus.SUCCEEDED,
        )
        job = IngestJob(
            upload_id=upload.pk,
            data_source=source,
            ingest_settings=settings if settings is not None else dict(source.ingest_settings),
            members=members,
            received_at=received_at,
        )
        try:
            with django_capture_on_commit_callbacks(execute=True):
                counts = kind_get("file").processor.process(job)
        except IngestFailed as failure:
            return Outcome(None, job, failure)
        return Outcome(counts, job, None)

    return run


def stored_objects(source) -> set[str]:
    """Every object key under the data source's prefix in object storage."""
    storage = object_storage()
    assert isinstance(storage, FileSystemStorage)
    root = Path(storage.location) / "files" / str(source.pk)
    if not root.exists():
        return set()
    return {str(p.relative_to(storage.location)) for p in root.rglob("*") if p.is_file()}
