"""Issue 16's file defects, on real files: HEIC/AVIF photos and encrypted PDFs."""

import pytest

from tests.corpus.cases import CORPUS
from tests.corpus.runner import corpus_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_object_storage(settings, tmp_path):
    sluis = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "objects"},
    }
    settings.STORAGES = {**settings.STORAGES, "sluis": sluis}


def _stored(api, user, make_source, name):
    source = make_source(name="Photos", kind="file")
    outcome = corpus_upload(api=api, user=user, source=source, path=CORPUS / name)
    assert outcome.status == "processed", outcome.describe()
    url = f"/api/v1/files/?data_source={source.data_source.pk}&token={user.token}"
    return outcome, api.get(url).json()["results"][0]


def test_a_heic_photo_is_an_image_with_its_exif_time_and_a_thumbnail(api, supplier, make_source):
    _, record = _stored(api, supplier, make_source, "file/pillow_heif/L_exif_xmp_iptc.heic")

    assert (record["format"], record["content_type"]) == ("heic", "image/heic")
    assert (record["width"], record["height"]) == (64, 64)
    assert record["timestamp_source"] == "exif"
    assert record["timestamp"] == "2020-09-14T16:09:34Z"  # 11:09:34 at the camera's -05:00
    assert record["thumbnail_link"]
    assert record["duration"] is None


@pytest.mark.parametrize("name", ["exif.avif", "hopper.avif", "star.avifs"])
def test_an_avif_photo_is_an_image_with_a_thumbnail(api, supplier, make_source, name):
    _, record = _stored(api, supplier, make_source, f"file/pillow/{name}")

    assert (record["format"], record["content_type"]) == ("avif", "image/avif")
    assert record["width"] and record["thumbnail_link"]


@pytest.mark.parametrize(
    "name",
    [
        "file/pypdf/r4-aes-user-password.pdf",
        "file/pypdf/crazyones-encrypted-256.pdf",
        "file/pdf-samples/libreoffice-writer-password.pdf",
    ],
)
def test_a_password_protected_pdf_is_stored_without_a_page_count_and_a_warning(
    api, supplier, make_source, name
):
    outcome, record = _stored(api, supplier, make_source, name)

    assert record["page_count"] is None
    assert "the PDF is encrypted with a password" in outcome.message


def test_an_encrypted_pdf_with_an_empty_user_password_has_its_page_count(
    api, supplier, make_source
):
    outcome, record = _stored(api, supplier, make_source, "file/pypdf/r5-empty-password.pdf")

    assert record["page_count"] == 1
    assert "encrypted" not in outcome.message
