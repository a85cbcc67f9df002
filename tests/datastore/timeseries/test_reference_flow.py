"""The reference page's flow end to end: upload a measurements CSV, then an overlapping one,
through ``POST /sync_tasks/{id}/upload/`` and the processing engine; read back ``/events/``."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sluis.datastore.timeseries.models import Series
from sluis.ingest.processing import upload_process
from sluis.uploads.models import Upload

HEAD = b"location,parameter,timestamp,value\n"
FIRST = HEAD + b"L1,h,2025-10-21T00:00:00Z,1.0\nL1,h,2025-10-21T01:00:00Z,2.0\n"
SECOND = HEAD + b"L1,h,2025-10-21T01:00:00Z,2.5\nL1,h,2025-10-21T02:00:00Z,3.0\n"


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "sluis": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "objects"},
        },
    }


def upload_and_process(api, task, token, content, name) -> Upload:
    data = {"upload_file": SimpleUploadedFile(name, content, content_type="text/csv")}
    response = api.post(
        f"/api/v1/sync_tasks/{task.pk}/upload/?token={token}", data, format="multipart"
    )
    assert response.status_code == 201, response.content
    upload_id = response.json()["id"]
    assert upload_process(upload_id=upload_id) == "succeeded"
    return Upload.objects.get(pk=upload_id)


def test_a_second_overlapping_csv_leaves_the_union_with_the_newer_values(
    api, make_source, supplier, consumer
):
    created = make_source(name="Measurements")
    first = upload_and_process(api, created.sync_task, supplier.token, FIRST, "measurements.csv")
    second = upload_and_process(api, created.sync_task, supplier.token, SECOND, "measurements2.csv")
    assert (first.inserted, first.updated) == (2, 0)
    assert (second.inserted, second.updated, second.unchanged) == (1, 1, 0)

    series = Series.objects.get(data_source=created.data_source)
    response = api.get(
        "/api/v1/events/",
        {"timeseries_id": series.pk, "sortby": "timestamp a", "token": consumer.token},
    )
    assert b"".join(response.streaming_content).decode().splitlines() == [
        "timestamp,value",
        "2025-10-21 00:00:00+00,1",
        "2025-10-21 01:00:00+00,2.5",
        "2025-10-21 02:00:00+00,3",
    ]


def test_a_csv_with_a_bad_row_fails_the_upload_with_its_line_and_keeps_the_data(
    api, make_source, supplier
):
    created = make_source(name="Measurements")
    upload_and_process(api, created.sync_task, supplier.token, FIRST, "measurements.csv")
    data = {"upload_file": SimpleUploadedFile("bad.csv", SECOND + b"L1,h,yesterday,4\n")}
    response = api.post(
        f"/api/v1/sync_tasks/{created.sync_task.pk}/upload/?token={supplier.token}",
        data,
        format="multipart",
    )
    assert upload_process(upload_id=response.json()["id"]) == "failed"
    upload = Upload.objects.get(pk=response.json()["id"])
    assert upload.errors[0]["line"] == 4
    assert Series.objects.get(data_source=created.data_source).event_count == 2
