"""``wait`` polls an upload's status until it has finished, and says how it ended."""

from __future__ import annotations

import httpx
import pytest
from scripted import ScriptedServer, json_response

from sluis_client import Client, ProcessingFailed, UploadStatus, WaitTimeout


def status(state: str, **fields: object) -> httpx.Response:
    return json_response(200, {"id": 17, "status": state, **fields})


def test_wait_polls_until_the_upload_has_succeeded(client: Client, server: ScriptedServer) -> None:
    server.reply(status("queued"), status("processing"), status("succeeded", inserted=3))
    seen: list[str] = []

    final = client.wait(17, on_status=lambda s: seen.append(s.status))

    assert final.succeeded
    assert final.counts.inserted == 3
    assert seen == ["queued", "processing", "succeeded"]


def test_a_failed_upload_raises_processing_failed_with_its_status(
    client: Client, server: ScriptedServer
) -> None:
    server.reply(status("failed", failure_reason="The file has no rows."))

    with pytest.raises(ProcessingFailed) as raised:
        client.wait(17)

    assert raised.value.status.failure_reason == "The file has no rows."
    assert raised.value.detail == "Processing of upload 17 failed: The file has no rows."
    assert raised.value.code == "processing_failed"


def test_a_failed_upload_is_returned_when_asked_not_to_raise(
    client: Client, server: ScriptedServer
) -> None:
    server.reply(status("failed"))

    assert client.wait(17, raise_on_failure=False).failed


def test_wait_gives_up_after_its_timeout_with_the_last_status(
    client: Client, server: ScriptedServer
) -> None:
    server.reply(status("processing"))

    with pytest.raises(WaitTimeout) as raised:
        client.wait(17, timeout=0)

    assert isinstance(raised.value.status, UploadStatus)
    assert raised.value.status.status == "processing"
    assert raised.value.detail == "Upload 17 is still processing after waiting 0 seconds."


def test_a_broken_connection_while_polling_is_polled_again(
    client: Client, server: ScriptedServer, sleeps: list[float]
) -> None:
    refused = httpx.ConnectError("refused")
    server.reply(*[refused] * 5, status("succeeded"))

    assert client.wait(17).succeeded
