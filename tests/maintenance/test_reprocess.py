"""`sluis upload reprocess`: a finished upload's original processed again, as a linked upload."""

import pytest

from sluis.catalog.models import DataSource
from sluis.datastore.files.models import StoredFile
from sluis.datastore.timeseries.models import Event
from sluis.ingest.processing import upload_process
from sluis.uploads.administration import upload_reprocess
from sluis.uploads.models import Upload
from sluis.uploads.storage import object_storage
from tests.datastore.files.builders import pdf
from tests.uploads.conftest import busy_upload

from .conftest import BAD_CSV, GOOD_CSV, cli

pytestmark = pytest.mark.django_db


@pytest.fixture
def levels(make_source):
    return make_source(name="Levels", kind="timeseries")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Process a queued upload as the worker would; returns it refreshed."""

    def process(upload: Upload) -> Upload:
        with django_capture_on_commit_callbacks(execute=True):
            upload_process(upload_id=upload.pk)
        upload.refresh_from_db()
        return upload

    return process


def _record(api, user, upload_id):
    return api.get(f"/api/v1/uploads/{upload_id}/", HTTP_AUTHORIZATION=f"Token {user.token}").json()


def test_a_failed_upload_is_processed_again_after_a_settings_change(
    api, supplier, capsys, levels, processed, run
):
    failed = processed(levels, BAD_CSV)
    assert failed.status == "failed"
    DataSource.objects.filter(pk=levels.data_source.pk).update(
        ingest_settings={"on_error": "skip_invalid_rows"}
    )
    code, result = cli(capsys, "upload", "reprocess", str(failed.pk))
    assert code == 0 and result["status"] == "queued" and result["reprocess_of"] == failed.pk
    again = run(Upload.objects.get(pk=result["id"]))
    assert again.status == "succeeded" and (again.inserted, again.rejected) == (1, 1)
    assert again.storage_key == failed.storage_key and again.sha256 == failed.sha256

    earlier = _record(api, supplier, failed.pk)  # the first outcome is still the truth of then
    assert earlier["status"] == "failed" and earlier["reprocess_of"] is None
    record = _record(api, supplier, again.pk)
    assert record["reprocess_of"] == failed.pk and record["filename"] == "levels.csv"
    assert record["uploader"] == "Supplier" and record["sync_task"] == levels.sync_task.pk
    history = api.get(
        f"/api/v1/sync_tasks/{levels.sync_task.pk}/uploads/",
        HTTP_AUTHORIZATION=f"Token {supplier.token}",
    ).json()
    assert [r["id"] for r in history["results"]] == [again.pk, failed.pk]


def test_reprocessing_a_succeeded_timeseries_upload_gives_the_same_data(levels, processed, run):
    first = processed(levels, GOOD_CSV)
    again = run(upload_reprocess(upload_id=first.pk))
    assert again.status == "succeeded" and (again.inserted, again.unchanged) == (0, 1)
    assert Event.objects.count() == 1
    third = run(upload_reprocess(upload_id=again.pk))
    assert third.reprocess_of_id == first.pk  # always linked to the upload that received it


def test_a_reprocessed_file_keeps_the_receipt_time_of_the_original(make_source, processed, run):
    documents = make_source(name="Documents", kind="file")
    first = processed(documents, pdf(), "report.pdf")
    stored = StoredFile.objects.get()
    assert stored.timestamp == first.received_at
    StoredFile.objects.all().delete()
    again = run(upload_reprocess(upload_id=first.pk))
    assert again.status == "succeeded" and again.inserted == 1
    assert StoredFile.objects.get().timestamp == first.received_at


def _points(*names: str) -> bytes:
    lines = [f"{name},5.{i},52.{i},{name}" for i, name in enumerate(names)]
    return ("id,lon,lat,naam\n" + "\n".join(lines) + "\n").encode()


def _served(api, user, created):
    url = f"/api/v1/features/?data_source={created.data_source.pk}"
    response = api.get(url, HTTP_AUTHORIZATION=f"Token {user.token}")
    return [f["id_src"] for f in response.json()["features"]]


def test_an_older_vector_upload_is_reprocessed_only_with_force(
    api, supplier, capsys, make_source, processed, run
):
    parcels = make_source(name="Parcels", kind="vector")
    older = processed(parcels, _points("a", "b"), "old.csv")
    newer = processed(parcels, _points("c"), "new.csv")
    assert (older.status, newer.status) == ("succeeded", "succeeded")
    code, error = cli(capsys, "upload", "reprocess", str(older.pk))
    assert code == 2 and error["code"] == "upload_superseded"
    assert f"upload {newer.pk}" in error["detail"] and "--force" in error["detail"]
    assert Upload.objects.count() == 2

    latest = run(upload_reprocess(upload_id=newer.pk))  # the latest one needs no force
    assert latest.status == "succeeded" and _served(api, supplier, parcels) == ["c"]
    code, result = cli(capsys, "upload", "reprocess", str(older.pk), "--force")
    assert code == 0
    forced = run(Upload.objects.get(pk=result["id"]))
    assert forced.status == "succeeded" and (forced.inserted, forced.deleted) == (2, 1)
    assert _served(api, supplier, parcels) == ["a", "b"]


def test_refusals_are_typed_errors(capsys, supplier, levels, processed):
    finished = processed(levels, GOOD_CSV)
    busy = busy_upload(levels, supplier)
    code, error = cli(capsys, "upload", "reprocess", str(finished.pk))
    assert code == 2 and error["code"] == "data_source_busy"
    code, error = cli(capsys, "upload", "reprocess", str(busy.pk))
    assert code == 2 and error["code"] == "invalid_transition" and "queued" in error["detail"]
    busy.delete()
    object_storage().delete(finished.storage_key)  # removed behind Sluis's back
    code, error = cli(capsys, "upload", "reprocess", str(finished.pk))
    assert code == 2 and error["code"] == "original_missing"
    for missing in ("999999", "9" * 30):
        code, error = cli(capsys, "upload", "reprocess", missing)
        assert code == 2 and error["code"] == "upload_not_found"
    assert Upload.objects.count() == 1


def test_the_admin_reprocesses_selected_uploads(client, admin_user, levels, processed):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    first = processed(levels, GOOD_CSV)
    url = "/admin/uploads/upload/"
    chosen = {"action": "reprocess_uploads", "_selected_action": [first.pk]}
    client.post(url, chosen)  # the confirmation page
    assert not Upload.objects.filter(reprocess_of=first).exists()
    client.post(url, {**chosen, "confirmed": "yes"})
    assert Upload.objects.filter(reprocess_of=first, status="queued").count() == 1
