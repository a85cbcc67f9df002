"""Stored files on S3-compatible storage (a real moto_server): the same overwrite contract, and
presigned download and thumbnail links."""

import io
from datetime import datetime
from urllib.parse import unquote

import httpx
import pytest
from PIL import Image

from sluis.datastore.files.models import StoredFile
from tests.datastore.files import builders
from tests.datastore.files.test_ingest import LOCK, survey
from tests.uploads.conftest import moto_endpoint, s3_storage  # noqa: F401  (fixtures)

pytestmark = pytest.mark.services


def keys(bucket) -> set[str]:
    return {obj.key for obj in bucket.objects.all()}


def test_files_overwrite_by_name_in_the_bucket_with_presigned_links(
    api,
    consumer,
    photos,
    run_job,
    s3_storage,  # noqa: F811
):
    run_job(photos, survey())
    before = {f.name: f for f in StoredFile.objects.all()}
    assert keys(s3_storage) == {k for f in before.values() for k in (f.key, f.thumbnail_key) if k}

    new = builders.photo(color=(0, 0, 255), taken=datetime(2024, 6, 1), position=LOCK)
    counts = run_job(photos, [("IMG_0002.jpg", new, "jpeg")]).counts
    assert (counts.inserted, counts.updated) == (0, 1)
    replaced = StoredFile.objects.get(name="IMG_0002.jpg")
    old = before["IMG_0002.jpg"]
    assert {replaced.key, replaced.thumbnail_key} <= keys(s3_storage)
    assert not {old.key, old.thumbnail_key} & keys(s3_storage)
    assert len(keys(s3_storage)) == 7  # three photos with thumbnails and a PDF

    api.credentials(HTTP_AUTHORIZATION=f"Token {consumer.token}")
    shown = api.get(f"/api/v1/files/{replaced.pk}/").json()
    download = httpx.get(shown["download_link"])
    assert download.status_code == 200 and download.content == new
    assert unquote(download.headers["content-disposition"]).endswith("''IMG_0002.jpg")
    thumbnail = httpx.get(shown["thumbnail_link"])
    assert Image.open(io.BytesIO(thumbnail.content)).size == (256, 192)
