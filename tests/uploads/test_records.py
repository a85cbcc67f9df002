"""Upload records: GET /uploads/{id}/, a task's history, the task's latest upload, legacy API."""

import re
from urllib.parse import urlparse

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from sluis.ingest.processing import upload_process
from sluis.uploads.models import Upload
from sluis.uploads.storage import object_storage
from tests.uploads.conftest import (
    CSV,
    field_part,
    file_part,
    multipart,
    post_file,
    post_raw,
    stored_files,
)

pytestmark = pytest.mark.django_db


def finish(upload_id, **fields):
    fields.setdefault("status", "succeeded")
    Upload.objects.filter(pk=upload_id).update(finished_at=timezone.now(), **fields)


def test_the_status_url_shows_the_record(api, supplier, source):
    receipt = post_file(api, source.sync_task.pk, supplier.token).json()
    record = api.get(receipt["status_url"], {"token": supplier.token})
    assert record.status_code == 200
    body = record.json()
    assert body["id"] == receipt["id"] and body["status"] == "queued"
    assert body["data_source"] == {"id": source.data_source.pk, "name": "Levels"}
    assert body["counts"] == dict.fromkeys(
        ["inserted", "updated", "unchanged", "deleted", "rejected"], 0
    )
    assert body["received_at"] == receipt["upload_date"] and body["finished_at"] is None
    assert body["error_report"] is None and body["errors"] == []


def test_a_failed_upload_shows_its_first_errors_and_a_report_link(
    api, client, supplier, source, settings
):
    settings.SLUIS_UPLOAD_FIRST_ERRORS = 2
    upload_id = post_file(api, source.sync_task.pk, supplier.token).json()["id"]
    report_key = object_storage().save(
        "reports/r.csv", ContentFile(b"line,field,message\n2,value,bad\n")
    )
    problems = [{"message": f"bad {i}", "line": i} for i in range(5)]
    finish(
        upload_id,
        status="failed",
        errors=problems,
        error_count=5,
        rejected=5,
        failure_reason="5 problem(s) found",
        error_report_key=report_key,
    )
    body = api.get(f"/api/v1/uploads/{upload_id}/", {"token": supplier.token}).json()
    assert body["status"] == "failed" and body["errors"] == problems[:2]
    assert body["error_count"] == 5 and body["counts"]["rejected"] == 5
    report = client.get(urlparse(body["error_report"]).path)
    assert report.status_code == 200 and b"bad" in b"".join(report.streaming_content)


def test_records_are_visible_to_the_organization_and_admins_only(
    api, supplier, consumer, outsider, admin_user, source
):
    upload_id = post_file(api, source.sync_task.pk, supplier.token).json()["id"]
    url = f"/api/v1/uploads/{upload_id}/"
    assert api.get(url, {"token": consumer.token}).status_code == 200
    assert api.get(url, {"token": admin_user.token}).status_code == 200
    hidden = api.get(url, {"token": outsider.token})
    assert hidden.status_code == 404 and hidden.json()["code"] == "upload_not_found"
    assert api.get(url).status_code == 403


def test_the_task_history_is_paginated_newest_first(api, supplier, source):
    ids = []
    for _ in range(3):
        ids.append(post_file(api, source.sync_task.pk, supplier.token).json()["id"])
        finish(ids[-1])
    url = f"/api/v1/sync_tasks/{source.sync_task.pk}/uploads/"
    page = api.get(url, {"token": supplier.token, "page_size": 2}).json()
    assert page["count"] == 3 and [u["id"] for u in page["results"]] == ids[::-1][:2]
    assert page["next"]


def test_the_history_of_an_invisible_task_is_404(api, outsider, make_source):
    hidden = make_source(name="Hidden", private=True)
    url = f"/api/v1/sync_tasks/{hidden.sync_task.pk}/uploads/"
    assert api.get(url, {"token": outsider.token}).status_code == 404


def test_the_sync_task_shows_its_latest_upload(api, supplier, source):
    task_url = f"/api/v1/sync_tasks/{source.sync_task.pk}/"
    assert api.get(task_url, {"token": supplier.token}).json()["latest_upload"] is None
    upload_id = post_file(api, source.sync_task.pk, supplier.token).json()["id"]
    latest = api.get(task_url, {"token": supplier.token}).json()["latest_upload"]
    assert latest["id"] == upload_id and latest["status"] == "queued"


# --- legacy /uploads/ ---------------------------------------------------------------------------


def test_legacy_list_has_the_latest_upload_per_data_source_with_legacy_names(
    api, supplier, source, make_source
):
    other = make_source(name="Other")
    first = post_file(api, source.sync_task.pk, supplier.token).json()["id"]
    finish(first)
    second = post_file(api, source.sync_task.pk, supplier.token).json()["id"]
    third = post_file(api, other.sync_task.pk, supplier.token).json()["id"]
    listed = api.get("/api/v1/uploads/", {"token": supplier.token}).json()
    assert isinstance(listed, list) and {u["id"] for u in listed} == {second, third}
    row = next(u for u in listed if u["id"] == second)
    assert set(row) == {
        "id",
        "filename",
        "uploader_name",
        "upload_file",
        "upload_date",
        "uploader",
        "datasource",
        "datasource_name",
        "datasource_owner",
        "sync_last_finished",
        "sync_status",
    }
    assert row["datasource"] == source.data_source.pk and row["uploader"] == supplier.pk
    assert row["sync_status"] == "harvesting" and row["datasource_owner"] == "Waterboard North"
    assert row["upload_file"].startswith("http")


def test_legacy_post_with_the_datasource_field_uploads(api, supplier, source):
    body = multipart(
        field_part("datasource", str(source.data_source.pk).encode()), file_part("a.csv")
    )
    response = post_raw(api, f"/api/v1/uploads/?token={supplier.token}", body)
    assert response.status_code == 201, response.json()
    assert response.json()["datasource"] == source.data_source.pk
    assert Upload.objects.get().sync_task == source.sync_task


def test_legacy_post_with_the_datasource_field_after_the_file_uploads(api, supplier, source):
    body = multipart(
        file_part("a.csv"), field_part("datasource", str(source.data_source.pk).encode())
    )
    response = post_raw(api, f"/api/v1/uploads/?token={supplier.token}", body)
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("datasource", "status", "code"),
    [
        (None, 400, "missing_data_source"),
        (b"abc", 400, "missing_data_source"),
        (b"999999", 404, "data_source_not_found"),
    ],
)
def test_legacy_post_refusals(api, supplier, source, storage_dir, datasource, status, code):
    parts = [file_part("a.csv")]
    if datasource is not None:
        parts.insert(0, field_part("datasource", datasource))
    response = post_raw(api, f"/api/v1/uploads/?token={supplier.token}", multipart(*parts))
    assert response.status_code == status and response.json()["code"] == code
    assert stored_files(storage_dir) == [] and Upload.objects.count() == 0


def test_legacy_post_follows_the_same_rules(api, consumer, supplier, source, storage_dir):
    body = multipart(
        field_part("datasource", str(source.data_source.pk).encode()), file_part("a.csv")
    )
    refused = post_raw(api, f"/api/v1/uploads/?token={consumer.token}", body)
    assert refused.status_code == 403 and refused.json()["code"] == "not_a_supplier"
    assert post_raw(api, f"/api/v1/uploads/?token={supplier.token}", body).status_code == 201
    busy = post_raw(api, f"/api/v1/uploads/?token={supplier.token}", body)
    assert busy.status_code == 409 and "Retry-After" in busy
    assert len(stored_files(storage_dir)) == 1


def test_legacy_get_needs_a_token(api):
    assert api.get("/api/v1/uploads/").status_code == 403


# --- Idempotency-Key ----------------------------------------------------------------------------


def test_a_retry_with_the_same_key_and_bytes_replays_the_first_response(
    api, supplier, source, storage_dir
):
    first = post_file(api, source.sync_task.pk, supplier.token, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post_file(api, source.sync_task.pk, supplier.token, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["sha256"] == first.json()["sha256"]
    assert Upload.objects.count() == 1 and len(stored_files(storage_dir)) == 1


def test_the_same_key_with_other_bytes_is_422(api, supplier, source, storage_dir):
    post_file(api, source.sync_task.pk, supplier.token, HTTP_IDEMPOTENCY_KEY="k-2")
    other = post_file(
        api, source.sync_task.pk, supplier.token, CSV + b"B,h,x,2\n", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Upload.objects.count() == 1 and len(stored_files(storage_dir)) == 1


def test_a_replay_still_works_after_processing_finished(api, supplier, source):
    first = post_file(api, source.sync_task.pk, supplier.token, HTTP_IDEMPOTENCY_KEY="k-3")
    finish(first.json()["id"])
    again = post_file(api, source.sync_task.pk, supplier.token, HTTP_IDEMPOTENCY_KEY="k-3")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]


def test_another_key_is_a_new_upload(api, supplier, source):
    first = post_file(api, source.sync_task.pk, supplier.token, HTTP_IDEMPOTENCY_KEY="k-4")
    finish(first.json()["id"])
    other = post_file(api, source.sync_task.pk, supplier.token, HTTP_IDEMPOTENCY_KEY="k-5")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_an_unprintable_key_is_400(api, supplier, source):
    response = post_file(api, source.sync_task.pk, supplier.token, HTTP_IDEMPOTENCY_KEY="a\tb")
    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"


def test_right_after_a_201_the_sync_task_says_harvesting_as_the_legacy_list_does(
    api, supplier, source
):
    first = post_file(api, source.sync_task.pk, supplier.token).json()["id"]
    assert upload_process(upload_id=first) == "succeeded"
    task_url = f"/api/v1/sync_tasks/{source.sync_task.pk}/"
    finished = api.get(task_url, {"token": supplier.token}).json()
    assert finished["sync_status"] == "successful"

    second = post_file(api, source.sync_task.pk, supplier.token)
    assert second.status_code == 201

    task = api.get(task_url, {"token": supplier.token}).json()
    legacy = api.get("/api/v1/uploads/", {"token": supplier.token}).json()
    row = next(u for u in legacy if u["id"] == second.json()["id"])
    assert task["sync_status"] == row["sync_status"] == "harvesting"
    assert task["sync_last_finished"] == row["sync_last_finished"]
    assert task["sync_last_finished"] == finished["sync_last_finished"]
    listed = api.get("/api/v1/sync_tasks/", {"token": supplier.token}).json()["results"]
    assert next(t for t in listed if t["id"] == source.sync_task.pk)["sync_status"] == "harvesting"


def test_sync_last_finished_has_one_format_on_sync_tasks_and_the_legacy_list(api, supplier, source):
    upload_id = post_file(api, source.sync_task.pk, supplier.token).json()["id"]
    upload_process(upload_id=upload_id)
    task = api.get(f"/api/v1/sync_tasks/{source.sync_task.pk}/", {"token": supplier.token}).json()
    legacy = api.get("/api/v1/uploads/", {"token": supplier.token}).json()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", task["sync_last_finished"])
    assert task["sync_last_finished"] == legacy[0]["sync_last_finished"]
    assert task["sync_status"] == legacy[0]["sync_status"] == "successful"
