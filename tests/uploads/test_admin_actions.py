"""Failing and requeueing uploads: services, the CLI and the admin actions."""

import json

import pytest

from sluis.cli import main
from sluis.uploads.administration import upload_fail_by_administrator, upload_requeue
from sluis.uploads.models import Upload
from tests.uploads.conftest import busy_upload, post_file

pytestmark = pytest.mark.django_db


def cli(capsys, *argv):
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    return code, json.loads(out.out or out.err)


def test_failing_a_queued_upload_frees_the_data_source(api, supplier, source):
    upload_id = post_file(api, source.sync_task.pk, supplier.token).json()["id"]
    upload_fail_by_administrator(upload_id=upload_id, reason="bad file")
    record = api.get(f"/api/v1/uploads/{upload_id}/", {"token": supplier.token}).json()
    assert record["status"] == "failed" and record["failure_reason"] == "bad file"
    assert record["finished_at"]
    assert post_file(api, source.sync_task.pk, supplier.token).status_code == 201


def test_requeue_queues_again_and_wakes_a_worker_after_commit(
    api, supplier, source, django_capture_on_commit_callbacks, monkeypatch
):
    upload_id = post_file(api, source.sync_task.pk, supplier.token).json()["id"]
    upload_fail_by_administrator(upload_id=upload_id, reason="worker lost")
    heard = []
    monkeypatch.setattr("sluis.uploads.queue.send_process_upload", heard.append)
    with django_capture_on_commit_callbacks(execute=True):
        upload = upload_requeue(upload_id=upload_id)
    assert upload.status == "queued" and upload.failure_reason == "" and heard == [upload_id]


def test_requeue_respects_the_busy_rule(supplier, source):
    failed = busy_upload(source, supplier)
    upload_fail_by_administrator(upload_id=failed.pk)
    busy_upload(source, supplier)
    from sluis.uploads.errors import DataSourceBusy

    with pytest.raises(DataSourceBusy):
        upload_requeue(upload_id=failed.pk)
    assert Upload.objects.get(pk=failed.pk).status == "failed"


def test_the_cli_fails_and_requeues(capsys, supplier, source):
    upload = busy_upload(source, supplier)
    code, result = cli(capsys, "upload", "fail", str(upload.pk), "--reason", "stuck")
    assert code == 0 and result["status"] == "failed" and result["failure_reason"] == "stuck"
    code, result = cli(capsys, "upload", "requeue", str(upload.pk))
    assert code == 0 and result["status"] == "queued"


def test_the_cli_refuses_an_invalid_transition(capsys, supplier, source):
    upload = busy_upload(source, supplier)
    code, result = cli(capsys, "upload", "requeue", str(upload.pk))
    assert code == 2 and result["code"] == "invalid_transition"
    for missing in ("999999", "9" * 30):
        code, result = cli(capsys, "upload", "fail", missing)
        assert code == 2 and result["code"] == "upload_not_found"


def test_the_admin_actions_ask_for_confirmation_first(admin_client_of_staff, supplier, source):
    client = admin_client_of_staff
    upload = busy_upload(source, supplier)
    url = "/admin/uploads/upload/"
    asked = client.post(url, {"action": "fail_uploads", "_selected_action": [upload.pk]})
    assert b"Yes, fail these uploads" in asked.content
    assert Upload.objects.get(pk=upload.pk).status != "failed"
    chosen = {"action": "fail_uploads", "_selected_action": [upload.pk], "confirmed": "yes"}
    client.post(url, {**chosen, "reason": "sensor broken"})
    failed = Upload.objects.get(pk=upload.pk)
    assert failed.status == "failed" and "sensor broken" in failed.failure_reason
    chosen["action"] = "requeue_uploads"
    client.post(url, chosen)
    assert Upload.objects.get(pk=upload.pk).status == "queued"


def test_uploads_cannot_be_added_or_saved_in_the_admin(admin_client_of_staff, supplier, source):
    client = admin_client_of_staff
    upload = busy_upload(source, supplier)
    assert client.get("/admin/uploads/upload/add/").status_code == 403
    page = client.get(f"/admin/uploads/upload/{upload.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content


@pytest.fixture
def admin_client_of_staff(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client


def test_a_failing_preflight_is_400_and_keeps_nothing(
    api, supplier, source, storage_dir, monkeypatch
):
    from sluis.errors import SluisError
    from tests.uploads.conftest import stored_files

    def preflight(*, path, filename, data_source):
        assert path.exists() and filename == "dataset.csv"
        raise SluisError("Member 'x.tif' is not a timeseries format.", code_hint="format")

    monkeypatch.setattr("sluis.uploads.intake.upload_preflight", preflight)
    response = post_file(api, source.sync_task.pk, supplier.token)
    assert response.status_code == 400 and "x.tif" in response.json()["detail"]
    assert stored_files(storage_dir) == [] and Upload.objects.count() == 0


def test_the_detected_format_is_recorded(api, supplier, source, monkeypatch):
    monkeypatch.setattr(
        "sluis.uploads.intake.upload_preflight", lambda *, path, filename, data_source: "csv"
    )
    upload_id = post_file(api, source.sync_task.pk, supplier.token).json()["id"]
    assert Upload.objects.get(pk=upload_id).detected_format == "csv"
    body = api.get(f"/api/v1/uploads/{upload_id}/", {"token": supplier.token}).json()
    assert body["detected_format"] == "csv"


def _age(path, seconds=7200):
    import os
    import time

    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_sweep_removes_old_spool_files_and_unreferenced_originals_only(
    api, supplier, source, storage_dir, capsys
):
    kept = Upload.objects.get(pk=post_file(api, source.sync_task.pk, supplier.token).json()["id"])
    orphan = storage_dir / "originals/999/2026/01/deadbeef"
    fresh_orphan = storage_dir / "originals/999/2026/01/cafebabe"
    spool = storage_dir / ".incoming/upload-x.part"
    for path in (orphan, fresh_orphan, spool):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"left behind")
    for path in (orphan, spool, storage_dir / kept.storage_key):
        _age(path)
    code, result = cli(capsys, "upload", "sweep", "--older-than-minutes", "60")
    assert code == 0 and (result["spool_files"], result["orphan_objects"]) == (1, 1)
    assert not orphan.exists() and not spool.exists()
    assert fresh_orphan.exists() and (storage_dir / kept.storage_key).exists()


@pytest.mark.services
def test_the_sweep_works_on_s3(api, supplier, source, s3_storage):
    from datetime import timedelta

    from django.core.files.base import ContentFile

    from sluis.maintenance.services import storage_sweep
    from sluis.uploads.storage import object_storage

    kept = Upload.objects.get(pk=post_file(api, source.sync_task.pk, supplier.token).json()["id"])
    object_storage().save("originals/999/2026/01/deadbeef", ContentFile(b"left behind"))
    swept = storage_sweep(older_than=timedelta(seconds=-60))
    assert swept.objects["originals"].count == 1
    assert sorted(o.key for o in s3_storage.objects.all()) == [kept.storage_key]
