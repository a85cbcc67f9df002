"""A new format is one reader module and one registry line: the toy ``key=value`` timeseries
format (``tests/formats/toy_kv.py``) is registered for the test and uploaded end to end."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sluis.datastore.timeseries.models import Event, Series
from sluis.formats.registry import Format, format_register, format_unregister
from sluis.formats.sniffing import sniff
from sluis.ingest.processing import upload_process
from sluis.kinds import kind_get
from sluis.uploads.models import Upload
from tests.formats import toy_kv

KV = (
    b"location=L1 parameter=h timestamp=2025-10-21T00:00:00Z value=1.5 unit=m\n"
    b"location=L1 parameter=h timestamp=2025-10-21T01:00:00Z value=2.5 unit=m\n"
)


@pytest.fixture
def kv_format():
    # The one registry line (in sluis/formats/registry.py it is one ``Format(...)`` entry).
    format_register(
        Format(
            "kv",
            "key=value timeseries text",
            (".kv",),
            "text/plain",
            ".kv",
            toy_kv.looks_like_kv,
            {"timeseries": "tests.formats.toy_kv:read_kv_timeseries"},
        )
    )
    yield
    format_unregister("kv")


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "sluis": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "objects"},
        },
    }


def post(api, task, token, content: bytes, name: str):
    data = {"upload_file": SimpleUploadedFile(name, content, content_type="text/plain")}
    return api.post(f"/api/v1/sync_tasks/{task.pk}/upload/?token={token}", data, format="multipart")


def test_a_registered_format_is_sniffed_and_read_by_its_kind(kv_format):
    assert sniff(KV, "levels.kv") == "kv"
    assert "kv" in kind_get("timeseries").formats
    assert "kv" not in kind_get("vector").formats


def test_a_file_of_the_new_format_is_uploaded_and_stored_end_to_end(
    kv_format, api, make_source, supplier
):
    created = make_source(name="Levels in key=value")
    response = post(api, created.sync_task, supplier.token, KV, "levels.kv")
    assert response.status_code == 201, response.content
    assert upload_process(upload_id=response.json()["id"]) == "succeeded"

    upload = Upload.objects.get(pk=response.json()["id"])
    assert upload.detected_format == "kv"
    assert (upload.inserted, upload.updated, upload.rejected) == (2, 0, 0)
    series = Series.objects.get(data_source=created.data_source)
    assert (series.location, series.parameter, series.unit) == ("L1", "h", "m")
    assert sorted(Event.objects.filter(series=series).values_list("value", flat=True)) == [1.5, 2.5]


def test_a_bad_line_of_the_new_format_fails_the_upload_with_its_line(
    kv_format, api, make_source, supplier
):
    created = make_source(name="Levels in key=value")
    bad = KV + b"location=L1 parameter=h timestamp=2025-10-21T02:00:00Z value=high unit=m\n"
    response = post(api, created.sync_task, supplier.token, bad, "levels.kv")
    assert upload_process(upload_id=response.json()["id"]) == "failed"
    upload = Upload.objects.get(pk=response.json()["id"])
    assert [(e["line"], e["field"]) for e in upload.errors] == [(3, "value")]
    assert not Series.objects.filter(data_source=created.data_source).exists()


def test_a_kind_without_a_reader_for_the_new_format_refuses_it_before_201(
    kv_format, api, make_source, supplier
):
    created = make_source(name="Rivers", kind="vector")
    response = post(api, created.sync_task, supplier.token, KV, "rivers.kv")
    assert response.status_code == 400
    assert response.json()["code"] == "format_not_allowed"


def test_without_its_registry_line_the_format_is_plain_text():
    assert sniff(KV, "levels.kv") == "txt"
