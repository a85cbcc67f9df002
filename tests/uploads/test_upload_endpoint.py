"""POST /sync_tasks/{id}/upload/: the reference page's contract and the checks
before a byte of the body is read (role, uploadable, busy)."""

import re
from urllib.parse import unquote, urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sluis.catalog.models import SyncTask, TaskType
from sluis.uploads.models import Upload
from tests.uploads.conftest import (
    BOUNDARY,
    CSV,
    busy_upload,
    csv_bytes,
    file_part,
    multipart,
    post_file,
    post_raw,
    stored_files,
    upload_url,
)

pytestmark = pytest.mark.django_db


def test_the_reference_upload_gets_201_with_the_documented_fields(api, supplier, source):
    response = post_file(api, source.sync_task.pk, supplier.token)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert list(body)[:4] == ["uploader", "filename", "upload_date", "download_link"]
    assert body["uploader"] == "Supplier" and body["filename"] == "dataset.csv"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["upload_date"])
    assert body["status"] == "queued" and body["size"] == len(CSV)
    assert body["original_filename"] == "dataset.csv" and len(body["sha256"]) == 64
    assert body["status_url"].endswith(f"/api/v1/uploads/{body['id']}/")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["download_link_expires"])


def test_the_download_link_returns_the_exact_bytes_under_the_original_name(
    api, client, supplier, source
):
    content = csv_bytes(25_600)
    body = post_file(api, source.sync_task.pk, supplier.token, content, "meting #1 é.csv").json()
    assert body["filename"] == "meting1.csv" and body["original_filename"] == "meting #1 é.csv"
    response = client.get(urlparse(body["download_link"]).path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    disposition = response["Content-Disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "meting #1 é.csv"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_original_is_stored_under_a_generated_key_and_the_spool_is_empty(
    api, supplier, source, storage_dir
):
    url = upload_url(source.sync_task.pk, supplier.token)
    assert post_raw(api, url, multipart(file_part("../../etc/passwd"))).status_code == 201
    upload = Upload.objects.get()
    assert upload.original_filename == "../../etc/passwd"
    assert upload.storage_key.startswith(f"originals/{source.data_source.pk}/")
    assert "passwd" not in upload.storage_key
    assert re.fullmatch(r"upload-[0-9a-f]{12}\.etcpasswd", upload.filename)
    assert stored_files(storage_dir) == [storage_dir / upload.storage_key]
    assert (storage_dir / upload.storage_key).read_bytes() == CSV


def test_the_upload_wakes_a_worker_after_commit(
    api, supplier, source, django_capture_on_commit_callbacks, monkeypatch
):
    heard = []
    monkeypatch.setattr("sluis.uploads.queue.send_process_upload", heard.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        body = post_file(api, source.sync_task.pk, supplier.token).json()
        assert heard == []  # nothing is sent before the upload's transaction commits
    assert len(callbacks) == 1
    assert heard == [body["id"]]


def test_authorization_header_works_like_the_token_parameter(api, supplier, source):
    data = {"upload_file": SimpleUploadedFile("a.csv", CSV)}
    url = upload_url(source.sync_task.pk)
    response = api.post(url, data, format="multipart", HTTP_AUTHORIZATION=f"Token {supplier.token}")
    assert response.status_code == 201


# --- the checks, in the order upload_receive runs them ---------------------------------------


def assert_refused(response, status, code, storage_dir):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert Upload.objects.count() == 0 or status == 409
    assert stored_files(storage_dir) == []


def test_no_token_is_403(api, source, storage_dir):
    assert_refused(post_file(api, source.sync_task.pk, None), 403, "not_authenticated", storage_dir)


def test_an_unknown_token_is_403(api, source, storage_dir):
    response = post_file(api, source.sync_task.pk, "0" * 40)
    assert_refused(response, 403, "invalid_token", storage_dir)


def test_a_missing_sync_task_is_404(api, supplier, storage_dir):
    assert_refused(post_file(api, 999999, supplier.token), 404, "sync_task_not_found", storage_dir)


def test_a_private_task_of_another_organization_is_404(api, outsider, make_source, storage_dir):
    hidden = make_source(name="Hidden", private=True)
    response = post_file(api, hidden.sync_task.pk, outsider.token)
    assert_refused(response, 404, "sync_task_not_found", storage_dir)


def test_a_consumer_is_403(api, consumer, source, storage_dir):
    response = post_file(api, source.sync_task.pk, consumer.token)
    assert_refused(response, 403, "not_a_supplier", storage_dir)


def test_a_supplier_of_another_organization_is_403_on_a_public_source(
    api, outsider, source, storage_dir
):
    response = post_file(api, source.sync_task.pk, outsider.token)
    assert_refused(response, 403, "not_a_supplier", storage_dir)


def test_an_explicit_grant_allows_a_supplier_of_another_organization(api, outsider, source):
    source.data_source.suppliers.add(outsider)
    assert post_file(api, source.sync_task.pk, outsider.token).status_code == 201


def test_a_task_without_data_source_is_400(api, supplier, org, storage_dir):
    task = SyncTask.objects.create(name="Model run", owner=org, task_type=TaskType.CALCULATION)
    assert_refused(post_file(api, task.pk, supplier.token), 400, "not_uploadable", storage_dir)


def test_a_data_source_not_marked_uploadable_is_400(api, supplier, make_source, storage_dir):
    closed = make_source(name="Closed", uploadable=False)
    response = post_file(api, closed.sync_task.pk, supplier.token)
    assert_refused(response, 400, "not_uploadable", storage_dir)


def test_the_role_is_checked_before_uploadable(api, consumer, make_source, storage_dir):
    closed = make_source(name="Closed", uploadable=False)
    response = post_file(api, closed.sync_task.pk, consumer.token)
    assert_refused(response, 403, "not_a_supplier", storage_dir)


def test_a_busy_data_source_is_409_with_the_running_upload(api, supplier, source, storage_dir):
    running = busy_upload(source, supplier, stored=False)
    response = post_file(api, source.sync_task.pk, supplier.token)
    assert_refused(response, 409, "data_source_busy", storage_dir)
    assert int(response["Retry-After"]) > 0
    details = response.json()["running_upload"]
    assert details["id"] == running.pk and details["status"] == "queued"
    assert details["received_at"].endswith("Z") and "started_at" in details
    assert Upload.objects.count() == 1


def test_a_409_names_the_running_upload_with_the_times_its_record_shows(api, supplier, source):
    first = post_file(api, source.sync_task.pk, supplier.token).json()
    Upload.objects.filter(pk=first["id"]).update(
        received_at="2026-12-05T10:11:12.345678Z",
        started_at="2026-12-05T10:11:13.999999Z",
        status="processing",
    )
    refused = post_file(api, source.sync_task.pk, supplier.token).json()["running_upload"]
    record = api.get(f"/api/v1/uploads/{first['id']}/", {"token": supplier.token}).json()
    assert refused["received_at"] == record["received_at"] == "2026-12-05T10:11:12Z"
    assert refused["started_at"] == record["started_at"] == "2026-12-05T10:11:13Z"


def test_the_second_upload_is_409_until_the_first_is_finished(api, supplier, source):
    task = source.sync_task.pk
    assert post_file(api, task, supplier.token).status_code == 201
    assert post_file(api, task, supplier.token).status_code == 409
    Upload.objects.update(status="succeeded", finished_at=timezone.now())
    assert post_file(api, task, supplier.token).status_code == 201


def test_busy_is_checked_before_the_body(api, supplier, source, storage_dir):
    busy_upload(source, supplier)
    response = api.post(upload_url(source.sync_task.pk, supplier.token), {"a": 1}, format="json")
    assert response.status_code == 409


def test_a_json_body_is_415(api, supplier, source, storage_dir):
    response = api.post(upload_url(source.sync_task.pk, supplier.token), {"a": 1}, format="json")
    assert_refused(response, 415, "unsupported_media_type", storage_dir)


def test_no_upload_file_part_is_400(api, supplier, source, storage_dir):
    response = api.post(
        upload_url(source.sync_task.pk, supplier.token), {"other": "x"}, format="multipart"
    )
    assert_refused(response, 400, "missing_file", storage_dir)


def test_the_file_under_another_field_name_is_400(api, supplier, source, storage_dir):
    response = post_file(api, source.sync_task.pk, supplier.token, field="file")
    assert_refused(response, 400, "unexpected_file_field", storage_dir)


def test_two_files_are_400(api, supplier, source, storage_dir):
    files = [SimpleUploadedFile("a.csv", CSV), SimpleUploadedFile("b.csv", CSV)]
    response = api.post(
        upload_url(source.sync_task.pk, supplier.token), {"upload_file": files}, format="multipart"
    )
    assert_refused(response, 400, "multiple_files", storage_dir)


def test_an_empty_file_is_400(api, supplier, source, storage_dir):
    response = post_file(api, source.sync_task.pk, supplier.token, content=b"")
    assert_refused(response, 400, "empty_file", storage_dir)


def test_a_file_over_the_cap_is_413_and_nothing_is_kept(
    api, supplier, source, storage_dir, settings
):
    settings.SLUIS_MAX_UPLOAD_BYTES = 1000
    response = post_file(api, source.sync_task.pk, supplier.token, content=b"x" * 1001)
    assert_refused(response, 413, "upload_too_large", storage_dir)
    assert response.json()["max_bytes"] == 1000


def test_a_file_at_the_cap_is_accepted(api, supplier, source, settings):
    settings.SLUIS_MAX_UPLOAD_BYTES = 1000
    response = post_file(api, source.sync_task.pk, supplier.token, content=csv_bytes(1000))
    assert response.status_code == 201


def test_a_declared_length_over_the_cap_is_413_before_reading(
    api, supplier, source, storage_dir, settings
):
    settings.SLUIS_MAX_UPLOAD_BYTES = 1000
    response = post_file(
        api, source.sync_task.pk, supplier.token, CONTENT_LENGTH=str(10 * 1024 * 1024)
    )
    assert_refused(response, 413, "upload_too_large", storage_dir)


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", " 12"])
def test_an_invalid_content_length_is_400(api, supplier, source, storage_dir, length):
    response = post_file(api, source.sync_task.pk, supplier.token, CONTENT_LENGTH=length)
    assert_refused(response, 400, "invalid_content_length", storage_dir)


def test_a_missing_content_length_without_chunked_framing_is_411(
    api, supplier, source, storage_dir
):
    response = post_file(api, source.sync_task.pk, supplier.token, CONTENT_LENGTH="")
    assert_refused(response, 411, "length_required", storage_dir)


def test_losing_the_insert_race_after_storing_deletes_the_stored_original(
    api, supplier, source, storage_dir
):
    from django.db.models.signals import pre_save

    def competitor(sender, instance, **kwargs):
        if instance.pk is None and instance.original_filename == "dataset.csv":
            busy_upload(source, supplier, stored=False)  # another upload wins the insert

    pre_save.connect(competitor, sender=Upload)
    try:
        response = post_file(api, source.sync_task.pk, supplier.token)
    finally:
        pre_save.disconnect(competitor, sender=Upload)
    assert response.status_code == 409 and response.json()["code"] == "data_source_busy"
    assert stored_files(storage_dir) == []


def test_bytes_that_look_like_the_boundary_are_stored_exactly(
    api, supplier, make_source, storage_dir
):
    import hashlib
    import secrets

    documents = make_source(name="Documents", kind="file")
    almost = f"\r\n--{BOUNDARY[:-1]}".encode()
    noise = secrets.token_hex(1500).encode()
    content = (almost + noise + b"\r\n--") * 700  # ~2.1 MB over several chunks
    url = upload_url(documents.sync_task.pk, supplier.token)
    body = post_raw(api, url, multipart(file_part("tricky.txt", content))).json()
    upload = Upload.objects.get(pk=body["id"])
    assert (storage_dir / upload.storage_key).read_bytes() == content
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["size"] == len(content)
