"""Helpers of the processing tests: uploads stored as the upload service stores them, the
scripted test processor, and real worker subprocesses (see ``workers.py``)."""

import hashlib
import uuid

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from sluis.catalog.models import DataSource
from sluis.uploads.models import Upload
from sluis.uploads.storage import object_storage
from tests.ingest import plugin_processor


@pytest.fixture(autouse=True)
def _fresh_markers():
    """Upload ids are reused between tests on SQLite: start every test without old markers."""
    for marker in plugin_processor.markers_dir().iterdir():
        marker.unlink()


@pytest.fixture
def test_source(make_source):
    """A data source of the scripted test kind (see ``plugin_processor``)."""

    def make(name="Scripted", **fields):
        created = make_source(name=name, kind="file", **fields)
        DataSource.objects.filter(pk=created.data_source.pk).update(kind=plugin_processor.KIND)
        created.data_source.refresh_from_db()
        key = plugin_processor.store_key(created.data_source.pk)
        if object_storage().exists(key):  # ids are reused after a rolled-back test
            object_storage().delete(key)
        return created

    return make


@pytest.fixture
def store_upload(supplier):
    """Store bytes and create the queued upload row, as the upload service does before 201."""

    def store(created, content: bytes, filename: str = "data.txt") -> Upload:
        key = object_storage().save(f"originals/{uuid.uuid4().hex}", ContentFile(content))
        return Upload.objects.create(
            uploader=supplier,
            sync_task=created.sync_task,
            data_source=created.data_source,
            original_filename=filename,
            filename=filename,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            storage_key=key,
            received_at=timezone.now(),
        )

    return store
