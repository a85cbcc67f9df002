"""The pipeline run in-process (no broker): claiming, outcomes, reports, sync status."""

import csv
import io
import zipfile

from django.test import override_settings

from sluis.catalog.models import SyncStatus
from sluis.ingest.lifecycle import upload_claim
from sluis.ingest.processing import upload_process
from sluis.uploads.models import Upload
from sluis.uploads.storage import object_storage
from tests.ingest.plugin_processor import stored


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_an_upload_is_processed_into_the_data_and_the_data_source_released(
    test_source, store_upload
):
    source = test_source()
    upload = store_upload(source, b"put a=1\nput b=2\n")

    assert upload_process(upload_id=upload.pk) == "succeeded"

    upload.refresh_from_db()
    assert (upload.status, upload.attempts, upload.inserted) == ("succeeded", 1, 2)
    assert upload.lease_expires_at is None and upload.finished_at is not None
    assert stored(source.data_source.pk) == {"a": "1", "b": "2"}
    source.sync_task.refresh_from_db()
    assert source.sync_task.sync_status == SyncStatus.SUCCESSFUL
    assert source.sync_task.sync_last_finished == upload.finished_at
    store_upload(source, b"put a=1\n")  # the data source is free again: no constraint error


def test_processing_the_same_upload_twice_changes_nothing(test_source, store_upload):
    source = test_source()
    upload = store_upload(source, b"put a=1\n")
    upload_process(upload_id=upload.pk)

    assert upload_process(upload_id=upload.pk) == "skipped"
    assert upload_claim(upload_id=upload.pk) is None
    upload.refresh_from_db()
    assert (upload.attempts, upload.inserted) == (1, 1)


def test_problems_fail_the_upload_with_every_problem_kept_and_a_complete_csv_report(
    test_source, store_upload
):
    source = test_source()
    lines = "".join(f"bad x{i}\n" for i in range(150)) + "put a=1\n"
    upload = store_upload(source, lines.encode())

    assert upload_process(upload_id=upload.pk) == "failed"

    upload.refresh_from_db()
    assert "150 problem(s)" in upload.failure_reason
    assert upload.error_count == 150 and len(upload.errors) == 150
    assert upload.errors[0] == {
        "message": "not a number",
        "file": "data.txt",
        "line": 1,
        "field": "value",
        "value": "x0",
    }
    with object_storage().open(upload.error_report_key, "rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode())))
    assert rows[0] == ["file", "line", "feature", "field", "value", "message"]
    assert rows[150] == ["data.txt", "150", "", "value", "x149", "not a number"]
    assert stored(source.data_source.pk) == {}
    source.sync_task.refresh_from_db()
    assert source.sync_task.sync_status == SyncStatus.FAILED


def test_skip_invalid_rows_succeeds_and_still_reports_the_skipped_rows(test_source, store_upload):
    source = test_source(ingest_settings={"on_error": "skip_invalid_rows"})
    upload = store_upload(source, b"bad q\nput a=1\n")

    assert upload_process(upload_id=upload.pk) == "succeeded"

    upload.refresh_from_db()
    assert upload.error_count == 1 and upload.error_report_key
    assert stored(source.data_source.pk) == {"a": "1"}


def test_an_archive_is_unpacked_and_every_member_processed(test_source, store_upload, settings):
    source = test_source()
    archive = _zip(
        {"one.txt": b"put a=1\n", "__MACOSX/._one.txt": b"\x00\x05", "two.txt": b"put b=2\n"}
    )
    upload = store_upload(source, archive, "batch.zip")

    assert upload_process(upload_id=upload.pk) == "succeeded"
    assert stored(source.data_source.pk) == {"a": "1", "b": "2"}
    assert list((settings.DATA_DIR / "work").iterdir()) == []


def test_a_file_the_kind_does_not_read_fails_with_the_reason(test_source, store_upload):
    source = test_source()
    upload = store_upload(source, b"%PDF-1.4\n%\xe2\xe3\n", "report.pdf")

    assert upload_process(upload_id=upload.pk) == "failed"

    upload.refresh_from_db()
    assert "report.pdf" in upload.failure_reason and "PDF" in upload.failure_reason
    assert upload.errors == [{"message": upload.errors[0]["message"], "file": "report.pdf"}]


def test_an_upload_whose_attempts_are_used_up_fails_instead_of_running_again(
    test_source, store_upload
):
    source = test_source()
    upload = store_upload(source, b"put a=1\n")
    Upload.objects.filter(pk=upload.pk).update(attempts=3)

    assert upload_process(upload_id=upload.pk) == "skipped"

    upload.refresh_from_db()
    assert upload.status == "failed" and "gave up after 3 attempts" in upload.failure_reason


@override_settings(SLUIS_MAX_ATTEMPTS=5)
def test_the_attempt_budget_is_a_setting(test_source, store_upload):
    source = test_source()
    upload = store_upload(source, b"put a=1\n")
    Upload.objects.filter(pk=upload.pk).update(attempts=4)

    assert upload_process(upload_id=upload.pk) == "succeeded"


def test_an_unexpected_error_fails_the_upload_through_the_shared_task_base(
    test_source, store_upload, settings
):
    from sluis.ingest.tasks import process_upload

    source = test_source()
    upload = store_upload(source, b"put a=1\ncrash\n")

    process_upload.apply(args=(upload.pk,))

    upload.refresh_from_db()
    assert upload.status == "failed" and "RuntimeError" in upload.failure_reason
    assert stored(source.data_source.pk) == {}
    assert list((settings.DATA_DIR / "work").iterdir()) == []


def test_problem_values_with_nul_and_formulas_are_stored_and_reported_safely(
    test_source, store_upload
):
    source = test_source()
    upload = store_upload(
        source, b"bad-nul x\nbad =HYPERLINK(1)\nbad -3.5\nbad -2+3+cmd|'/Ccalc'!A0\n"
    )

    assert upload_process(upload_id=upload.pk) == "failed"

    upload.refresh_from_db()
    assert upload.errors[0]["value"] == "a\ufffdb?"
    with object_storage().open(upload.error_report_key, "rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode())))
    assert [row[4] for row in rows[1:]] == [
        "a\ufffdb?",
        "'=HYPERLINK(1)",
        "'-3.5",
        "'-2+3+cmd|'/Ccalc'!A0",
    ]
