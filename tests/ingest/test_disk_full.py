"""A full disk while processing: the work folder is a small tmpfs (a real filesystem, not a
mock). The upload fails with a readable reason that names no internal path, nothing of it is
stored, its work folder is gone, and the next upload that fits is processed."""

import os

import pytest

from sluis.ingest.processing import upload_process
from sluis.uploads.models import Upload
from tests.disk import small_disk
from tests.ingest.builders import zipped
from tests.ingest.plugin_processor import stored

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture
def small_work_dir(settings, tmp_path):
    with small_disk(tmp_path / "work", "1m") as work:
        settings.SLUIS_WORK_DIR = str(work)
        yield work


def test_a_full_disk_while_unpacking_fails_the_upload_readably_and_stores_nothing(
    small_work_dir, test_source, store_upload, settings
):
    source = test_source()
    big = b"put a=1\n" + b"# " + os.urandom(1024 * 1024).hex().encode() + b"\n"  # 2 MB
    upload = store_upload(source, zipped({"big.txt": big}), filename="big.zip")

    assert upload_process(upload_id=upload.pk) == "failed"

    upload.refresh_from_db()
    assert upload.status == "failed"
    assert "disk" in upload.failure_reason.lower() and "nothing" in upload.failure_reason
    assert str(settings.DATA_DIR) not in upload.failure_reason
    assert str(small_work_dir) not in upload.failure_reason
    assert stored(source.data_source.pk) == {}
    assert list(small_work_dir.iterdir()) == []
    fits = store_upload(source, zipped({"small.txt": b"put b=2\n"}), filename="small.zip")
    assert upload_process(upload_id=fits.pk) == "succeeded"
    assert stored(source.data_source.pk) == {"b": "2"}
    assert Upload.objects.get(pk=fits.pk).status == "succeeded"
