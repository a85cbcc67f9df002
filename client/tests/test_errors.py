"""Every error code Sluis documents arrives as the right exception, with the server's fields."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from scripted import ScriptedServer, error_response, json_response

from sluis_client import (
    ApiError,
    BadRequest,
    Busy,
    Client,
    Forbidden,
    NotFound,
    NotUploadable,
    RateLimited,
    RetryPolicy,
    ServerError,
    SluisClientError,
    TooLarge,
    UnsupportedFormat,
)

# (status, code) as docs/api.md and docs/formats/archives.md list them for the endpoints the
# client calls (sync tasks, the upload, an upload's status), and the exception each becomes.
DOCUMENTED = [
    (403, "not_authenticated", Forbidden),
    (403, "invalid_token", Forbidden),
    (403, "permission_denied", Forbidden),
    (403, "not_a_supplier", Forbidden),
    (400, "ambiguous_token", BadRequest),
    (400, "invalid_parameter", BadRequest),
    (400, "invalid_idempotency_key", BadRequest),
    (400, "invalid_content_length", BadRequest),
    (400, "malformed_multipart", BadRequest),
    (400, "truncated_body", BadRequest),
    (400, "form_too_large", BadRequest),
    (400, "missing_file", BadRequest),
    (400, "multiple_files", BadRequest),
    (400, "unexpected_file_field", BadRequest),
    (400, "empty_file", BadRequest),
    (400, "unreadable_body", BadRequest),
    (411, "length_required", BadRequest),
    (400, "not_uploadable", NotUploadable),
    (400, "upload_rejected", UnsupportedFormat),
    (400, "format_mismatch", UnsupportedFormat),
    (400, "format_not_allowed", UnsupportedFormat),
    (400, "unsupported_format", UnsupportedFormat),
    (400, "unsupported_archive", UnsupportedFormat),
    (400, "json_too_large", UnsupportedFormat),
    (400, "shapefile_incomplete", UnsupportedFormat),
    (400, "unreadable_file", UnsupportedFormat),
    (400, "archive_too_many_members", UnsupportedFormat),
    (400, "archive_too_large", UnsupportedFormat),
    (400, "archive_unsafe", UnsupportedFormat),
    (400, "archive_encrypted", UnsupportedFormat),
    (400, "archive_unsupported_compression", UnsupportedFormat),
    (400, "archive_corrupt", UnsupportedFormat),
    (400, "archive_empty", UnsupportedFormat),
    (400, "archive_nested", UnsupportedFormat),
    (400, "archive_mixed_formats", UnsupportedFormat),
    (415, "unsupported_media_type", UnsupportedFormat),
    (404, "sync_task_not_found", NotFound),
    (404, "upload_not_found", NotFound),
    (404, "page_not_found", NotFound),
    (404, "not_found", NotFound),
    (408, "body_timeout", ApiError),
    (409, "data_source_busy", Busy),
    (413, "upload_too_large", TooLarge),
    (422, "idempotency_key_reused", ApiError),
    (429, "throttled", RateLimited),
    (500, "server_error", ServerError),
    (503, "not_ready", ServerError),
]

NO_RETRY = RetryPolicy(attempts=1)


@pytest.mark.parametrize(
    ("status", "code", "expected"), DOCUMENTED, ids=[code for _, code, _ in DOCUMENTED]
)
def test_a_documented_error_code_raises_its_exception_with_the_servers_fields(
    client: Client,
    server: ScriptedServer,
    csv_file: Path,
    status: int,
    code: str,
    expected: type[ApiError],
) -> None:
    detail = f"The server's own sentence about {code}."
    server.reply(error_response(status, code, detail, extra_field=[1, 2]))

    with pytest.raises(SluisClientError) as raised:
        client.upload(5, csv_file, retry=NO_RETRY)

    error = raised.value
    assert type(error) is expected
    assert isinstance(error, ApiError)
    assert error.detail == detail
    assert error.code == code
    assert error.status_code == status
    assert error.body == {"detail": detail, "code": code, "extra_field": [1, 2]}
    assert str(error) == f"{detail} ({status} {code})"


def test_a_busy_error_carries_the_running_upload_and_retry_after(
    client: Client, server: ScriptedServer, csv_file: Path
) -> None:
    running = {
        "id": 16,
        "status": "processing",
        "received_at": "2026-12-05T10:00:00Z",
        "started_at": "2026-12-05T10:00:02Z",
    }
    server.reply(
        json_response(
            409,
            {"detail": "Busy.", "code": "data_source_busy", "running_upload": running},
            Retry_After="30",
        )
    )
    with pytest.raises(Busy) as raised:
        client.upload(5, csv_file, retry=NO_RETRY)

    assert raised.value.running_upload == running
    assert raised.value.retry_after == 30.0
    assert raised.value.headers["Retry-After"] == "30"


def test_a_busy_error_without_retry_after_or_running_upload_says_none_and_empty() -> None:
    error = Busy("Busy.", status_code=409, body={"detail": "Busy."})

    assert error.retry_after is None
    assert error.running_upload == {}


def test_an_unreadable_retry_after_is_ignored_rather_than_guessed() -> None:
    error = Busy("Busy.", headers=httpx.Headers({"Retry-After": "soon"}))

    assert error.retry_after is None


def test_a_refused_archive_names_each_offending_member(
    client: Client, server: ScriptedServer, csv_file: Path
) -> None:
    members = [
        {"name": "a/../../etc/passwd", "problem": "unsafe name", "code": "archive_unsafe"},
        {"name": "inner.zip", "problem": "nested archive", "code": "archive_nested"},
    ]
    server.reply(
        error_response(400, "upload_rejected", "The archive was refused.", members=members)
    )

    with pytest.raises(UnsupportedFormat) as raised:
        client.upload(5, csv_file)

    assert raised.value.members == members


def test_members_that_are_not_objects_are_left_out() -> None:
    error = UnsupportedFormat("Refused.", body={"members": [{"name": "x"}, "junk", 3]})

    assert error.members == [{"name": "x"}]
    assert UnsupportedFormat("Refused.", body={"members": "junk"}).members == []


def test_an_unknown_400_code_is_a_plain_bad_request(
    client: Client, server: ScriptedServer, csv_file: Path
) -> None:
    server.reply(error_response(400, "some_future_code"))

    with pytest.raises(BadRequest) as raised:
        client.upload(5, csv_file)

    assert type(raised.value) is BadRequest
    assert raised.value.code == "some_future_code"


def test_an_error_without_a_json_body_says_so_with_the_status(
    client: Client, server: ScriptedServer
) -> None:
    server.reply(httpx.Response(404, text="<html>Not Found</html>"))

    with pytest.raises(NotFound) as raised:
        client.sync_task(99)

    assert raised.value.detail == "The server answered 404 Not Found without a JSON error body."
    assert raised.value.code == "not_found"
    assert raised.value.body == {}


def test_a_success_that_is_not_a_json_object_is_an_unexpected_response(
    client: Client, server: ScriptedServer
) -> None:
    server.reply(httpx.Response(200, text="<html>Welcome to nginx!</html>"))

    with pytest.raises(ApiError) as raised:
        client.sync_task(5)

    assert raised.value.code == "unexpected_response"
    assert raised.value.status_code == 200
    assert "is the URL that of a Sluis server?" in raised.value.detail


def test_an_error_for_a_read_is_raised_like_one_for_an_upload(
    client: Client, server: ScriptedServer
) -> None:
    server.reply(error_response(403, "invalid_token", "Invalid token."))

    with pytest.raises(Forbidden) as raised:
        list(client.sync_tasks())

    assert raised.value.code == "invalid_token"
    assert raised.value.status_code == 403
