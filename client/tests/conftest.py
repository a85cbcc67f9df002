"""Fixtures of the client's own tests: a scripted Sluis behind ``httpx.MockTransport``.

These tests need only the client and pytest (no Django, no server): ``cd client && python -m
pytest``. The live-server tests of the client are in the Sluis repository's ``tests/client/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from scripted import BASE_URL, POLL, RETRY, TOKEN, ScriptedServer

from sluis_client import Client


@pytest.fixture
def server() -> ScriptedServer:
    return ScriptedServer()


@pytest.fixture
def client(server: ScriptedServer) -> Iterator[Client]:
    """A ``Client`` of ``server`` with the supplier's token and the default retry bounds."""
    with Client(
        BASE_URL, TOKEN, retry=RETRY, poll=POLL, transport=httpx.MockTransport(server)
    ) as sluis:
        yield sluis


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The seconds the client slept between attempts, in order (it does not really sleep)."""
    slept: list[float] = []
    monkeypatch.setattr("sluis_client.transport.time.sleep", slept.append)
    return slept


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "levels.csv"
    path.write_bytes(b"location,parameter,timestamp,value\ngauge-1,waterlevel,2024-01-01,1.25\n")
    return path
