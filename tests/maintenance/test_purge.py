"""`sluis purge`: originals and error reports past their retention go, the records stay true."""

import pytest

from sluis.uploads.administration import upload_reprocess, upload_requeue
from sluis.uploads.models import Upload
from sluis.uploads.storage import object_storage

from .conftest import BAD_CSV, GOOD_CSV, cli, finished_days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def levels(make_source):
    return make_source(name="Levels", kind="timeseries")


@pytest.fixture
def retention(settings):
    settings.SLUIS_ORIGINAL_RETENTION_DAYS = 30
    settings.SLUIS_ERROR_REPORT_RETENTION_DAYS = 30


def test_purge_removes_exactly_the_originals_past_retention(capsys, retention, levels, processed):
    old = finished_days_ago(processed(levels), 31)
    recent = finished_days_ago(processed(levels), 29)
    code, result = cli(capsys, "purge")
    assert code == 0
    assert result["originals"] == {"count": 1, "bytes": len(GOOD_CSV)}
    assert result["bytes"] == len(GOOD_CSV) and result["dry_run"] is False
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.original_purged_at is not None and recent.original_purged_at is None
    assert not object_storage().exists(old.storage_key)
    assert object_storage().exists(recent.storage_key)
    assert cli(capsys, "purge")[1]["originals"]["count"] == 0  # nothing left to do


def test_a_purged_original_answers_410_with_a_stable_code(
    api, supplier, retention, levels, processed
):
    upload = finished_days_ago(processed(levels), 31)
    auth = {"HTTP_AUTHORIZATION": f"Token {supplier.token}"}
    before = api.get(f"/api/v1/uploads/{upload.pk}/", **auth).json()
    assert api.get(before["original_url"], **auth).status_code == 302
    from sluis.maintenance.services import retention_purge

    retention_purge()
    record = api.get(f"/api/v1/uploads/{upload.pk}/", **auth).json()
    assert record["download_link"] is None and record["original_purged_at"].endswith("Z")
    assert record["status"] == "succeeded" and record["counts"]["inserted"] == 1
    gone = api.get(record["original_url"], **auth)
    assert gone.status_code == 410 and gone.json()["code"] == "original_purged"
    assert "retention" in gone.json()["detail"]
    stale_link = api.get(before["download_link"])  # a link handed out before the purge
    assert stale_link.status_code == 410 and stale_link.json()["code"] == "original_purged"


def test_the_original_endpoint_is_for_those_who_may_see_the_upload(
    api, outsider, levels, processed
):
    upload = processed(levels)
    url = f"/api/v1/uploads/{upload.pk}/original/"
    response = api.get(url, HTTP_AUTHORIZATION=f"Token {outsider.token}")
    assert response.status_code == 404 and response.json()["code"] == "upload_not_found"
    assert api.get(url).status_code == 403


def test_a_dry_run_counts_the_same_and_removes_nothing(capsys, retention, levels, processed):
    upload = finished_days_ago(processed(levels), 31)
    code, result = cli(capsys, "purge", "--dry-run")
    assert code == 0 and result["dry_run"] is True and result["originals"]["count"] == 1
    upload.refresh_from_db()
    assert upload.original_purged_at is None and object_storage().exists(upload.storage_key)


def test_the_default_retention_keeps_originals_forever(capsys, levels, processed):
    upload = finished_days_ago(processed(levels), 3650)
    code, result = cli(capsys, "purge")
    assert code == 0 and result["originals"]["count"] == 0 and result["error_reports"]["count"] == 0
    assert object_storage().exists(upload.storage_key)


def test_an_original_in_use_by_a_busy_or_recent_reprocess_is_kept(
    capsys, retention, levels, processed
):
    upload = finished_days_ago(processed(levels), 31)
    again = upload_reprocess(upload_id=upload.pk)  # queued: busy
    assert cli(capsys, "purge")[1]["originals"]["count"] == 0
    Upload.objects.filter(pk=again.pk).update(status="succeeded")
    finished_days_ago(again, 2)  # processed again two days ago: the file is in use
    assert cli(capsys, "purge")[1]["originals"]["count"] == 0
    finished_days_ago(again, 40)
    assert cli(capsys, "purge")[1]["originals"] == {"count": 1, "bytes": len(GOOD_CSV)}
    assert Upload.objects.exclude(original_purged_at=None).count() == 2


def test_error_reports_past_retention_are_removed_and_the_first_errors_kept(
    api, supplier, capsys, retention, levels, processed
):
    failed = processed(levels, BAD_CSV)
    assert failed.status == "failed" and failed.error_report_key
    report_key = failed.error_report_key
    finished_days_ago(failed, 31)
    code, result = cli(capsys, "purge")
    assert code == 0 and result["error_reports"]["count"] == 1
    assert result["error_reports"]["bytes"] > 0
    assert not object_storage().exists(report_key)
    record = api.get(
        f"/api/v1/uploads/{failed.pk}/", HTTP_AUTHORIZATION=f"Token {supplier.token}"
    ).json()
    assert record["error_report"] is None and record["error_count"] == 1
    assert "not-a-time" in str(record["errors"])


def test_requeue_and_reprocess_of_a_purged_original_are_refused(
    capsys, retention, levels, processed
):
    failed = finished_days_ago(processed(levels, BAD_CSV), 31)
    cli(capsys, "purge")
    for action in ("requeue", "reprocess"):
        code, error = cli(capsys, "upload", action, str(failed.pk))
        assert code == 2 and error["code"] == "original_purged", action
        assert "retention" in error["detail"]
    from sluis.uploads.errors import OriginalPurged

    with pytest.raises(OriginalPurged):
        upload_requeue(upload_id=failed.pk)
    assert Upload.objects.count() == 1


def test_the_supplier_history_page_says_what_happened_to_the_file(
    client, supplier, retention, levels, processed
):
    upload = finished_days_ago(processed(levels), 31)
    again = upload_reprocess(upload_id=upload.pk)
    Upload.objects.filter(pk=again.pk).update(status="failed")
    finished_days_ago(again, 31)
    from sluis.maintenance.services import retention_purge

    retention_purge()
    client.force_login(supplier)
    page = client.get(f"/sources/{levels.sync_task.pk}/history/").content.decode()
    assert f"processed again: the file of upload {upload.pk}" in page
    assert page.count("original removed") == 2 and "download=" not in page.split("Problems")[1]
