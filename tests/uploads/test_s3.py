"""The same upload contract on S3-compatible storage (a real moto_server)."""

from urllib.parse import unquote

import httpx
import pytest
from django.db.models.signals import pre_save

from sluis.uploads.models import Upload
from tests.uploads.conftest import busy_upload, csv_bytes, post_file

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def keys(bucket) -> list[str]:
    return sorted(obj.key for obj in bucket.objects.all())


def spool(tmp_path) -> list:
    folder = tmp_path / "spool"
    return list(folder.iterdir()) if folder.exists() else []


def test_an_upload_lands_in_the_bucket_and_its_presigned_link_downloads_it(
    api, supplier, source, s3_storage, tmp_path
):
    content = csv_bytes(256_000)
    response = post_file(api, source.sync_task.pk, supplier.token, content, "peil #3.csv")
    assert response.status_code == 201, response.json()
    upload = Upload.objects.get()
    assert keys(s3_storage) == [upload.storage_key] and spool(tmp_path) == []
    download = httpx.get(response.json()["download_link"])
    assert download.status_code == 200 and download.content == content
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "peil #3.csv"


def test_a_refused_upload_leaves_nothing_in_the_bucket(
    api, supplier, source, s3_storage, tmp_path, settings
):
    settings.SLUIS_MAX_UPLOAD_BYTES = 100
    response = post_file(api, source.sync_task.pk, supplier.token, b"x" * 101)
    assert response.status_code == 413
    assert keys(s3_storage) == [] and spool(tmp_path) == []


def test_losing_the_race_after_storing_deletes_the_object(
    api, supplier, source, s3_storage, tmp_path
):
    def competitor(sender, instance, **kwargs):
        if instance.pk is None and instance.original_filename == "dataset.csv":
            busy_upload(source, supplier, stored=False)  # another upload wins the insert

    pre_save.connect(competitor, sender=Upload)
    try:
        response = post_file(api, source.sync_task.pk, supplier.token)
    finally:
        pre_save.disconnect(competitor, sender=Upload)
    assert response.status_code == 409 and response.json()["code"] == "data_source_busy"
    assert keys(s3_storage) == [] and spool(tmp_path) == []
    assert Upload.objects.filter(original_filename="dataset.csv").count() == 0
