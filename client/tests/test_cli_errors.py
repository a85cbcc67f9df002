"""``sluis-upload`` on a failed upload: the problems listed, how many more, and the report."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from scripted import BASE_URL, TOKEN, ScriptedServer, json_response

from sluis_client import Client
from sluis_client.cli import main
from sluis_client.exits import EXIT_PROCESSING_FAILED

REPORT = "https://sluis.test/api/v1/download/report-17/"


def failed_upload(listed: int, count: int, report: str = REPORT) -> httpx.Response:
    """``GET /uploads/17/`` of an upload that failed with ``count`` problems, ``listed`` shown."""
    errors = [
        {"message": "not a number", "file": "levels.csv", "line": line, "field": "value"}
        for line in range(2, 2 + listed)
    ]
    body: dict[str, Any] = {
        "id": 17,
        "status": "failed",
        "failure_reason": f"{count} problem(s) found; nothing was written (on_error=reject_file).",
        "errors": errors,
        "error_count": count,
        "error_report": report,
    }
    return json_response(200, body)


@pytest.fixture
def scripted_cli(server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> ScriptedServer:
    """``sluis-upload`` talking to ``server`` (its client gets the mock transport)."""

    def client(*args: Any, **kwargs: Any) -> Client:
        return Client(*args, **kwargs, transport=httpx.MockTransport(server))

    monkeypatch.setattr("sluis_client.commands.Client", client)
    return server


def status_output(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["status", "17", "--url", BASE_URL, "--token", TOKEN])
    return code, capsys.readouterr().out


def test_it_says_how_many_more_problems_there_are_and_links_the_report(
    scripted_cli: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    scripted_cli.reply(failed_upload(listed=100, count=150))

    code, out = status_output(capsys)

    assert code == EXIT_PROCESSING_FAILED
    assert "150 problem(s) found" in out
    assert out.count("not a number") == 100
    assert f"… and 50 more (150 in all) in the full error report: {REPORT}" in out


def test_with_every_problem_listed_it_still_names_the_report(
    scripted_cli: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    scripted_cli.reply(failed_upload(listed=3, count=3))

    _, out = status_output(capsys)

    assert "more" not in out
    assert f"Error report: {REPORT}" in out


def test_problems_counted_but_not_listed_are_still_reported(
    scripted_cli: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    scripted_cli.reply(failed_upload(listed=0, count=12, report=""))

    _, out = status_output(capsys)

    assert "… and 12 more (12 in all) in the full error report" in out
    assert "Error report:" not in out
