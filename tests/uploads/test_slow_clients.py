"""Slow clients dribbling upload bodies against a real ``sluis serve`` on its default process
and thread counts: ``/health/`` and the API keep answering fast, because bodies are received in
at most ``threads - 2`` threads per web process; a body beyond that is refused at once."""

import socket
import time

import httpx
import pytest

from tests.uploads.conftest import BOUNDARY
from tests.uploads.served import serve, served_setup, stop

pytestmark = pytest.mark.services

SLOW_CLIENTS = 10


@pytest.fixture(scope="module")
def default_served(tmp_path_factory):
    instance, db_name = serve(tmp_path_factory.mktemp("slow"), options=())
    yield instance
    stop(instance, db_name)


def slow_client(served, path: str) -> socket.socket:
    """A connection that has sent its headers and the start of a 1 MB body, and dribbles."""
    host, port = served.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(
        (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n"
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="upload_file"; '
            'filename="slow.csv"\r\n\r\n'
        ).encode()
    )
    return sock


def test_ten_slow_clients_do_not_stall_health_or_the_api(default_served):
    setup = served_setup(default_served, user="slow", count=SLOW_CLIENTS)
    paths = [f"/api/v1/sync_tasks/{t}/upload/?token={setup['token']}" for t in setup["tasks"]]
    clients = [slow_client(default_served, path) for path in paths]
    try:
        seconds = []
        for round_ in range(20):
            for sock in clients:
                try:
                    sock.send(b"x")  # one byte per client per round: never idle, never done
                except OSError:
                    pass  # refused at once (no receive slot left): that is allowed
            started = time.monotonic()
            response = httpx.get(f"{default_served.url}/api/v1/health/", timeout=30)
            seconds.append(time.monotonic() - started)
            assert response.status_code == 200
            time.sleep(0.1)  # the dribble's pace
        listing = httpx.get(f"{default_served.url}/api/v1/sync_tasks/", timeout=30)
    finally:
        for sock in clients:
            sock.close()
    assert max(seconds) < 1.0, seconds
    assert listing.status_code == 200


def test_an_upload_beyond_the_receive_slots_is_refused_at_once_with_retry_after(tmp_path):
    served, db_name = serve(tmp_path, options=("--workers", "1", "--threads", "3"))  # 1 slot
    try:
        setup = served_setup(served, user="slots", count=2)
        first, second = (
            f"/api/v1/sync_tasks/{t}/upload/?token={setup['token']}" for t in setup["tasks"]
        )
        holder = slow_client(served, first)
        holder.sendall(b"x" * 100_000)  # past the first read: the spool file appears
        deadline = time.monotonic() + 30
        while not [p for p in served.stored() if ".incoming" in p.parts]:
            assert time.monotonic() < deadline, "the first body is never received"
            holder.send(b"x")
            time.sleep(0.05)  # polling with a deadline
        started = time.monotonic()
        refused = httpx.post(
            f"{served.url}{second}", files={"upload_file": ("b.csv", b"a\n")}, timeout=30
        )
        seconds = time.monotonic() - started
        health = httpx.get(f"{served.url}/api/v1/health/", timeout=5)
        holder.close()
    finally:
        stop(served, db_name)
    assert refused.status_code == 503 and seconds < 2
    assert refused.json()["code"] == "receivers_busy"
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["Connection"] == "close"
    assert health.status_code == 200
