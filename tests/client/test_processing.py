"""Uploads followed through processing (the real engine and the files processor, run by the
``processing`` fixture): ``wait``, the CLI's ``--wait`` and ``status``, and format checks."""

import json

import httpx
import pytest
from django.conf import settings

from sluis.uploads.models import Upload
from sluis_client import ProcessingFailed, UnsupportedFormat

PATTERN = {"filename_pattern": "level_{timestamp:%Y-%m-%d}.txt"}


@pytest.fixture
def notes(make_source):
    """A file data source whose file names carry their date: a wrong date fails processing."""
    return make_source(name="Field notes", kind="file", ingest_settings=PATTERN)


def _note(folder, name):
    path = folder / name
    path.write_text(f"field notes in {name}\n")
    return path


def test_wait_returns_counts_when_processing_succeeds(
    client_for, supplier, notes, tmp_path, processing
):
    client = client_for(supplier)
    seen = []
    result = client.upload(notes.sync_task.pk, _note(tmp_path, "level_2024-03-01.txt"))
    status = client.wait(result, timeout=60, on_status=seen.append)
    assert status.succeeded and status.finished_at and not status.errors
    assert status.counts.inserted == 1 and status.counts.rejected == 0
    assert seen[-1] == status


def test_wait_raises_processing_failed_with_the_errors(
    client_for, supplier, notes, tmp_path, processing
):
    client = client_for(supplier)
    result = client.upload(notes.sync_task.pk, _note(tmp_path, "level_2024-13-45.txt"))
    with pytest.raises(ProcessingFailed) as caught:
        client.wait(result, timeout=60)
    status = caught.value.status
    assert status.failed and status.failure_reason and status.error_count == 1
    assert status.errors[0].file == "level_2024-13-45.txt"
    assert "2024-13-45" in str(status.errors[0])
    assert client.wait(result.id, raise_on_failure=False).failed


def test_a_file_of_the_wrong_format_raises_unsupported_format(
    client_for, supplier, levels, tmp_path
):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(UnsupportedFormat) as caught:
        client_for(supplier).upload(levels.sync_task.pk, path)
    assert caught.value.status_code == 400 and caught.value.detail
    assert [member["name"] for member in caught.value.members] == ["photo.png"]
    assert not Upload.objects.exists()


def test_upload_wait_shows_progress_status_and_counts(run, notes, tmp_path, processing):
    path = _note(tmp_path, "level_2024-03-01.txt")
    size = path.stat().st_size
    code, out, err = run("upload", notes.sync_task.pk, path, "--wait")
    upload = Upload.objects.get()
    assert code == 0, err
    assert f"Uploaded level_2024-03-01.txt as upload {upload.pk} (queued)" in out
    assert f"Upload {upload.pk} succeeded: 1 inserted, 0 updated" in out
    assert f"{size}/{size} bytes" in err  # the progress bar's last state


def test_failed_processing_prints_the_errors_and_exits_9(run, notes, tmp_path, processing):
    code, out, _ = run(
        "upload", notes.sync_task.pk, _note(tmp_path, "level_2024-13-45.txt"), "--wait"
    )
    upload = Upload.objects.get()
    assert code == 9
    assert f"Upload {upload.pk} failed" in out
    assert "Errors" in out and "2024-13-45" in out


def test_status_of_a_failed_upload_exits_9_and_json_has_the_counts(
    run, notes, tmp_path, processing
):
    assert (
        run("upload", notes.sync_task.pk, _note(tmp_path, "level_2024-13-45.txt"), "--wait")[0] == 9
    )
    upload = Upload.objects.get()
    code, out, _ = run("status", upload.pk, "--json")
    status = json.loads(out)
    assert code == 9
    assert status["status"] == "failed" and status["counts"]["inserted"] == 0
    assert status["errors"] and status["failure_reason"]


def test_several_files_are_uploaded_one_after_another(run, notes, tmp_path, processing):
    first = _note(tmp_path, "level_2024-03-01.txt")
    second = _note(tmp_path, "level_2024-03-02.txt")
    code, out, err = run("upload", notes.sync_task.pk, first, second, "--wait")
    assert code == 0, err
    uploads = list(Upload.objects.order_by("pk"))
    assert [u.original_filename for u in uploads] == [first.name, second.name]
    assert all(u.status == "succeeded" for u in uploads)
    assert out.count("succeeded: 1 inserted") == 2


def test_a_file_that_does_not_fit_exits_8_naming_it(run, levels, tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    code, _, err = run("upload", levels.sync_task.pk, path)
    assert code == 8
    assert "photo.png:" in err and not Upload.objects.exists()


def test_upload_wait_json_is_one_object_with_the_receipt_and_the_status(
    run, notes, tmp_path, processing
):
    code, out, _ = run(
        "upload", notes.sync_task.pk, _note(tmp_path, "level_2024-03-01.txt"), "--wait", "--json"
    )
    data = json.loads(out)
    assert code == 0
    assert data["upload"]["original_filename"] == "level_2024-03-01.txt"
    assert data["attempts"] == 1
    assert data["status"]["status"] == "succeeded" and data["status"]["counts"]["inserted"] == 1


def test_a_csv_with_150_bad_rows_lists_the_first_and_says_how_many_more_with_the_report(
    run, levels, tmp_path, processing
):
    path = tmp_path / "levels.csv"
    rows = "".join(f"L1,h,2025-01-01T{h % 24:02d}:00:00Z,not-a-number\n" for h in range(150))
    path.write_text("location,parameter,timestamp,value\n" + rows)

    code, out, _ = run("upload", levels.sync_task.pk, path, "--wait")

    upload = Upload.objects.get()
    listed = settings.SLUIS_UPLOAD_FIRST_ERRORS
    assert code == 9 and upload.error_count == 150
    assert "150 problem(s) found" in out
    assert f"… and {150 - listed} more (150 in all) in the full error report: http" in out
    report_url = out.split("in the full error report: ")[1].split()[0]
    report = httpx.get(report_url, timeout=30)
    assert report.status_code == 200
    assert len(report.text.splitlines()) == 1 + 150  # the header and every problem
