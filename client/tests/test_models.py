"""Every model parses what the server sends, keeps it in ``raw`` and never invents values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from scripted import ScriptedServer, json_response, upload_created

from sluis_client import Client, Counts, Problem, SyncTask, UploadResult, UploadStatus

SYNC_TASK = {
    "id": 1,
    "name": "Demo water levels",
    "owner": "Demo Organization",
    "task_type": "data_source",
    "uploadable": True,
    "private": False,
    "description": "Hourly levels",
    "data_source": {"id": 7, "name": "Demo water levels", "kind": "timeseries"},
    "latest_upload": None,
}

UPLOAD_STATUS = {
    "id": 17,
    "status": "failed",
    "filename": "levels.csv",
    "original_filename": "levels#1.csv",
    "received_at": "2026-12-05T10:00:00Z",
    "started_at": "2026-12-05T10:00:01Z",
    "finished_at": "2026-12-05T10:00:03+01:00",
    "counts": {"inserted": 3, "updated": 2, "unchanged": 1, "deleted": 0, "rejected": 4},
    "warnings": ["Column 'unit' was ignored."],
    "error_count": 40,
    "errors": [
        {
            "message": "not a number",
            "file": "levels.csv",
            "line": 3,
            "field": "value",
            "value": "n/a",
        },
        {"message": "no geometry", "feature": 12},
    ],
    "failure_reason": "4 rows could not be read.",
    "error_report": "https://sluis.test/api/v1/download/report/",
    "data_source": {"id": 7, "name": "Levels"},
}


def test_a_sync_task_is_parsed_with_its_data_source() -> None:
    task = SyncTask.from_json(SYNC_TASK)

    assert task == SyncTask(
        id=1,
        name="Demo water levels",
        owner="Demo Organization",
        task_type="data_source",
        uploadable=True,
        private=False,
        description="Hourly levels",
        data_source_id=7,
        data_source_name="Demo water levels",
        kind="timeseries",
    )
    assert task.raw is SYNC_TASK


def test_a_sync_task_without_a_data_source_has_no_kind() -> None:
    task = SyncTask.from_json({"id": "4", "name": "Scenario run", "task_type": "scenario"})

    assert task.id == 4
    assert (task.data_source_id, task.data_source_name, task.kind) == (None, None, None)
    assert (task.owner, task.description, task.uploadable, task.private) == ("", "", False, False)


def test_one_sync_task_is_read_from_its_own_url(client: Client, server: ScriptedServer) -> None:
    server.reply(json_response(200, SYNC_TASK))

    assert client.sync_task(1).kind == "timeseries"
    assert server.requests[0].url.path == "/api/v1/sync_tasks/1/"


def test_the_upload_answer_is_parsed_as_the_api_documents_it(
    client: Client, server: ScriptedServer, csv_file: Path
) -> None:
    server.reply(upload_created(17))

    result = client.upload(12, csv_file)

    assert result.id == 17
    assert result.status == "queued"
    assert result.filename == "evaporation2020-1-1.tif"
    assert result.original_filename == "evaporation#2020-1-1.tif"
    assert result.uploader == "Demo Supplier"
    assert result.upload_date == datetime(2021, 1, 18, 11, 55, 11, tzinfo=UTC)
    assert result.download_link_expires == datetime(2021, 1, 19, 11, 55, 11, tzinfo=UTC)
    assert result.download_link == "https://sluis.test/api/v1/download/abc/"
    assert result.status_url == "https://sluis.test/api/v1/uploads/17/"
    assert result.size == 1048576
    assert result.sha256 == "9f86d0"
    assert result.attempts == 1
    assert result.raw["id"] == 17


def test_the_legacy_upload_answer_leaves_the_newer_fields_empty() -> None:
    legacy = {"uploader": "Supplier", "filename": "a.csv", "upload_date": None, "id": 3}

    result = UploadResult.from_json(legacy)

    assert result.status == "queued"
    assert result.upload_date is None
    assert result.size is None
    assert (result.download_link, result.status_url, result.sha256) == ("", "", "")


def test_an_upload_status_is_parsed_with_counts_problems_and_timings(
    client: Client, server: ScriptedServer
) -> None:
    server.reply(json_response(200, UPLOAD_STATUS))

    status = client.upload_status(17)

    assert server.requests[0].url.path == "/api/v1/uploads/17/"
    assert status.status == "failed"
    assert status.failed and status.finished and not status.succeeded
    assert status.counts == Counts(inserted=3, updated=2, unchanged=1, deleted=0, rejected=4)
    assert status.counts.as_dict() == UPLOAD_STATUS["counts"]
    assert status.errors == (
        Problem(message="not a number", file="levels.csv", line=3, field="value", value="n/a"),
        Problem(message="no geometry", feature="12"),
    )
    assert status.error_count == 40
    assert status.warnings == ("Column 'unit' was ignored.",)
    assert status.failure_reason == "4 rows could not be read."
    assert (status.filename, status.original_filename) == ("levels.csv", "levels#1.csv")
    assert status.received_at == datetime(2026, 12, 5, 10, 0, 0, tzinfo=UTC)
    assert status.started_at == datetime(2026, 12, 5, 10, 0, 1, tzinfo=UTC)
    assert status.finished_at == datetime(
        2026, 12, 5, 10, 0, 3, tzinfo=timezone(timedelta(hours=1))
    )
    assert status.error_report_url == "https://sluis.test/api/v1/download/report/"
    assert status.raw is not None and status.raw["data_source"] == {"id": 7, "name": "Levels"}


def test_a_status_is_read_for_an_upload_result_a_status_or_an_id(
    client: Client, server: ScriptedServer
) -> None:
    body = {"id": 17, "status": "queued"}
    server.reply(*[json_response(200, body)] * 3)
    result = UploadResult.from_json(upload_created(17).json())

    status = client.upload_status(result)
    client.upload_status(status)
    client.upload_status(17)

    assert [r.url.path for r in server.requests] == ["/api/v1/uploads/17/"] * 3


def test_a_queued_status_is_not_finished_and_has_zero_counts() -> None:
    status = UploadStatus.from_json({"id": 5, "status": "queued"})

    assert not status.finished
    assert status.counts == Counts()
    assert status.errors == ()
    assert status.error_count == 0
    assert status.received_at is None


def test_flat_counts_and_the_legacy_names_are_read_too() -> None:
    status = UploadStatus.from_json(
        {
            "id": 5,
            "status": "succeeded",
            "inserted": 9,
            "upload_date": "2026-12-05T09:00:00Z",
            "error_report_url": "https://sluis.test/report",
            "errors": ["a plain sentence"],
        }
    )

    assert status.counts.inserted == 9
    assert status.succeeded
    assert status.received_at == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert status.error_report_url == "https://sluis.test/report"
    assert status.errors == (Problem(message="a plain sentence"),)
    assert status.error_count == 1


def test_a_problem_reads_as_where_then_what() -> None:
    located = Problem(message="not a number", file="levels.csv", line=3, field="value", value="x")
    feature = Problem(message="no geometry", feature="12")

    assert str(located) == "levels.csv, line 3, field value: not a number (value 'x')"
    assert str(feature) == "feature 12: no geometry"
    assert str(Problem(message="empty file")) == "empty file"


def test_a_problem_takes_detail_when_there_is_no_message() -> None:
    assert Problem.from_json({"detail": "bad row", "line": "7"}) == Problem(message="bad row")
