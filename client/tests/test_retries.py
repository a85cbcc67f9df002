"""Which failures the client retries, how long it waits, and that a retry never uploads twice."""

from __future__ import annotations

import email.utils
import itertools
import time
from pathlib import Path

import httpx
import pytest
from scripted import ScriptedServer, error_response, json_response, upload_created

from sluis_client import (
    ApiError,
    BadRequest,
    Busy,
    Client,
    ConnectionFailed,
    Forbidden,
    NotFound,
    RetryPolicy,
    ServerError,
    SluisClientError,
    TooLarge,
    UnsupportedFormat,
)

BUSY = {"running_upload": {"id": 16, "status": "processing"}}


def busy(retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    body = {"detail": "The data source is busy.", "code": "data_source_busy", **BUSY}
    return httpx.Response(409, json=body, headers=headers)


def test_a_busy_data_source_is_retried_after_the_servers_retry_after(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(busy("7"), busy("3"), upload_created(21))

    result = client.upload(5, csv_file)

    assert result.id == 21
    assert result.attempts == 3
    assert sleeps == [7.0, 3.0]


def test_a_busy_answer_without_retry_after_waits_the_policys_busy_delay(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(busy(), upload_created())

    client.upload(5, csv_file, retry=RetryPolicy(busy_delay=4.5))

    assert sleeps == [4.5]


def test_a_retry_after_given_as_an_http_date_is_waited_until_that_moment(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(busy(email.utils.formatdate(time.time() + 120, usegmt=True)), upload_created())

    client.upload(5, csv_file)

    assert len(sleeps) == 1
    assert 115 <= sleeps[0] <= 120


def test_a_rate_limited_request_is_retried_after_retry_after(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(
        httpx.Response(
            429, json={"detail": "Slow down.", "code": "throttled"}, headers={"Retry-After": "2"}
        ),
        upload_created(),
    )

    assert client.upload(5, csv_file).attempts == 2
    assert sleeps == [2.0]


def test_gateway_errors_are_retried_with_a_doubling_backoff(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.Response(503, text="<html>Service Unavailable</html>"),
        httpx.Response(504, text="<html>Gateway Timeout</html>"),
        upload_created(),
    )

    assert client.upload(5, csv_file).attempts == 4
    assert sleeps == [1.0, 2.0, 4.0]


def test_a_503_with_retry_after_waits_as_long_as_the_server_asks(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(
        json_response(503, {"detail": "Restarting.", "code": "not_ready"}, Retry_After="9"),
        upload_created(),
    )

    client.upload(5, csv_file)

    assert sleeps == [9.0]


def test_the_backoff_stops_growing_at_backoff_max(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(*[httpx.ConnectError("refused")] * 5, upload_created())
    policy = RetryPolicy(attempts=6, backoff=1.0, backoff_max=5.0)

    client.upload(5, csv_file, retry=policy)

    assert sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("Connection refused"),
        httpx.ConnectTimeout("timed out connecting"),
        httpx.ReadTimeout("timed out reading"),
        httpx.WriteTimeout("timed out writing"),
        httpx.ReadError("Connection reset by peer"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
    ids=lambda failure: type(failure).__name__,
)
def test_a_broken_connection_or_a_timeout_is_retried(
    client: Client,
    server: ScriptedServer,
    sleeps: list[float],
    csv_file: Path,
    failure: Exception,
) -> None:
    server.reply(failure, upload_created())

    assert client.upload(5, csv_file).attempts == 2
    assert sleeps == [1.0]


def test_when_every_attempt_fails_to_connect_connection_failed_names_the_server(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    refused = httpx.ConnectError("Connection refused")
    server.reply(*[refused] * 3)

    with pytest.raises(ConnectionFailed) as raised:
        client.upload(5, csv_file, retry=RetryPolicy(attempts=3))

    assert "https://sluis.test/api/v1/" in raised.value.detail
    assert "Connection refused" in raised.value.detail
    assert raised.value.__cause__ is refused
    assert raised.value.code == "connection_failed"
    assert len(server.requests) == 3
    assert sleeps == [1.0, 2.0]


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (error_response(400, "empty_file"), BadRequest),
        (error_response(400, "format_mismatch"), UnsupportedFormat),
        (error_response(403, "not_a_supplier"), Forbidden),
        (error_response(404, "sync_task_not_found"), NotFound),
        (error_response(408, "body_timeout"), ApiError),
        (error_response(413, "upload_too_large"), TooLarge),
        (error_response(422, "idempotency_key_reused"), ApiError),
        (error_response(500, "server_error"), ServerError),
    ],
    ids=lambda value: str(value.status_code) if isinstance(value, httpx.Response) else "",
)
def test_errors_a_retry_cannot_fix_are_raised_after_one_request(
    client: Client,
    server: ScriptedServer,
    sleeps: list[float],
    csv_file: Path,
    response: httpx.Response,
    expected: type[ApiError],
) -> None:
    server.reply(response)

    with pytest.raises(expected):
        client.upload(5, csv_file)

    assert len(server.requests) == 1
    assert sleeps == []


def test_a_malformed_url_is_not_retried(
    server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(httpx.UnsupportedProtocol("Request URL has an unsupported protocol"))
    with Client("https://sluis.test", transport=httpx.MockTransport(server)) as sluis:
        with pytest.raises(httpx.UnsupportedProtocol):
            sluis.upload(5, csv_file)

    assert len(server.requests) == 1
    assert sleeps == []


def test_attempts_bound_the_requests_and_the_last_error_is_raised(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(busy("1"), busy("1"), busy("1"))

    with pytest.raises(Busy) as raised:
        client.upload(5, csv_file, retry=RetryPolicy(attempts=3))

    assert len(server.requests) == 3
    assert sleeps == [1.0, 1.0]
    assert raised.value.running_upload == BUSY["running_upload"]


def test_a_retry_after_beyond_the_total_wait_is_not_waited_for(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(busy("60"), busy("60"))

    with pytest.raises(Busy) as raised:
        client.upload(5, csv_file, retry=RetryPolicy(total_wait=100.0))

    assert len(server.requests) == 2
    assert sleeps == [60.0]
    assert raised.value.retry_after == 60.0


def test_attempts_of_one_as_the_policy_disables_retrying(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(busy("1"))

    with pytest.raises(Busy):
        client.upload(5, csv_file, retry=RetryPolicy(attempts=1))

    assert sleeps == []


def test_every_attempt_of_one_upload_carries_the_same_idempotency_key(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(httpx.ReadTimeout("lost response"), busy("1"), upload_created())

    client.upload(5, csv_file)

    keys = {request.headers["Idempotency-Key"] for request in server.requests}
    assert len(server.requests) == 3
    assert len(keys) == 1
    assert len(keys.pop()) >= 32


def test_a_given_idempotency_key_is_sent_on_every_attempt(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(busy("1"), upload_created())

    client.upload(5, csv_file, idempotency_key="levels-2024-01-01")

    assert [r.headers["Idempotency-Key"] for r in server.requests] == ["levels-2024-01-01"] * 2


def test_two_uploads_get_two_idempotency_keys(
    client: Client, server: ScriptedServer, csv_file: Path
) -> None:
    server.reply(upload_created(1), upload_created(2))

    client.upload(5, csv_file)
    client.upload(5, csv_file)

    first, second = (request.headers["Idempotency-Key"] for request in server.requests)
    assert first != second


def test_every_attempt_sends_the_whole_file_again_and_progress_restarts(
    client: Client, server: ScriptedServer, sleeps: list[float], tmp_path: Path
) -> None:
    content = b"gauge-1,waterlevel,2024-01-01T00:00:00Z,1.25\n" * 5000  # a few 64 KiB chunks
    path = tmp_path / "levels.csv"
    path.write_bytes(content)
    server.reply(busy("1"), upload_created())
    seen: list[tuple[int, int | None]] = []

    client.upload(5, path, progress=lambda sent, total: seen.append((sent, total)))

    assert len(server.bodies) == 2
    assert all(content in body for body in server.bodies)
    assert {total for _, total in seen} == {len(content)}
    sent = [count for count, _ in seen]
    restarts = [later for earlier, later in itertools.pairwise(sent) if later < earlier]
    assert len(restarts) == 1
    assert restarts[0] < len(content)
    assert sent[-1] == len(content)


def test_on_retry_is_told_the_error_and_the_delay_before_each_sleep(
    client: Client, server: ScriptedServer, sleeps: list[float], csv_file: Path
) -> None:
    server.reply(busy("5"), httpx.ConnectError("refused"), upload_created())
    heard: list[tuple[type[SluisClientError], float, int]] = []

    def on_retry(error: SluisClientError, delay: float) -> None:
        heard.append((type(error), delay, len(sleeps)))

    client.upload(5, csv_file, on_retry=on_retry)

    assert heard == [(Busy, 5.0, 0), (ConnectionFailed, 1.0, 1)]


def test_reading_a_sync_task_retries_a_broken_connection_too(
    client: Client, server: ScriptedServer, sleeps: list[float]
) -> None:
    task = {"id": 5, "name": "Levels", "owner": "Org", "task_type": "data_source"}
    server.reply(httpx.ConnectError("refused"), httpx.Response(502), json_response(200, task))

    assert client.sync_task(5).name == "Levels"
    assert sleeps == [1.0, 2.0]


def test_reads_never_wait_longer_than_a_minute_altogether(
    server: ScriptedServer, sleeps: list[float]
) -> None:
    server.reply(busy("45"), busy("45"))
    policy = RetryPolicy(attempts=5, total_wait=900.0)
    with Client("https://sluis.test", retry=policy, transport=httpx.MockTransport(server)) as c:
        with pytest.raises(Busy):
            c.upload_status(3)

    assert sleeps == [45.0]
