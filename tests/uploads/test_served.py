"""Uploads against a real ``sluis serve`` (gunicorn) process: curl, races, chunked bodies,
disconnects and framing errors that only a real HTTP server shows."""

import json
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.uploads.conftest import BOUNDARY, multipart, text_bytes
from tests.uploads.served import IDLE_TIMEOUT, MAX_BYTES, served_setup

pytestmark = pytest.mark.services


def upload_url(served, task, token):
    return f"{served.url}/api/v1/sync_tasks/{task}/upload/?token={token}"


def until(condition, what: str, seconds: float = 30) -> None:
    """Poll ``condition`` until it holds, with a deadline (no sleeping as synchronisation)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def spool_files(served):
    return [p for p in served.stored() if ".incoming" in p.parts]


def test_the_reference_curl_works_unchanged(served, tmp_path):
    setup = served_setup(served, user="curl", count=1)
    dataset = tmp_path / "dataset.csv"
    dataset.write_bytes(b"timestamp,value\n2024-01-01T00:00:00Z,1\n" * 1000)
    url = upload_url(served, setup["tasks"][0], setup["token"])
    done = subprocess.run(
        ["curl", "-s", "-w", "\n%{http_code}", "-F", f"upload_file=@{dataset}", url],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    text, status = done.stdout.rsplit("\n", 1)
    assert status == "201", text
    body = json.loads(text)
    assert body["filename"] == "dataset.csv" and body["uploader"] == "S"
    assert httpx.get(body["download_link"]).content == dataset.read_bytes()


def test_of_ten_simultaneous_uploads_exactly_one_wins_in_each_of_twenty_rounds(served):
    setup = served_setup(served, user="race", count=20)
    content = text_bytes(256 * 1024)  # big enough that several requests pass the early check
    client = httpx.Client(timeout=60, limits=httpx.Limits(max_connections=10))

    def one(url, barrier):
        barrier.wait()
        return client.post(url, files={"upload_file": ("race.txt", content)}).status_code

    with ThreadPoolExecutor(10) as pool:
        for task in setup["tasks"]:
            barrier = threading.Barrier(10)
            url = upload_url(served, task, setup["token"])
            codes = list(pool.map(lambda _: one(url, barrier), range(10)))
            assert sorted(codes) == [201] + [409] * 9, codes
    counts = served.shell(
        "from sluis.uploads.models import Upload; from django.db.models import Count;"
        "print(sorted(set(Upload.objects.filter(uploader__username='race')"
        ".values('data_source').annotate(n=Count('id')).values_list('n', flat=True))))"
    )
    assert counts.strip().splitlines()[-1] == "[1]"
    race_objects = [p for p in served.stored() if p.stat().st_size == len(content)]
    assert len(race_objects) == 20 and spool_files(served) == []


def chunks(body: bytes, size: int = 64 * 1024):
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_chunked_body_is_received_exactly(served):
    setup = served_setup(served, user="chunked", count=1)
    content = text_bytes(1024 * 1024)
    response = httpx.post(
        upload_url(served, setup["tasks"][0], setup["token"]),
        content=chunks(
            multipart(
                ('Content-Disposition: form-data; name="upload_file"; filename="c.txt"', content)
            )
        ),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["size"] == len(content)
    assert httpx.get(response.json()["download_link"]).content == content


def test_a_chunked_body_over_the_cap_is_413_and_nothing_is_kept(served):
    setup = served_setup(served, user="chunkbig", count=1)
    before = served.stored()
    body = multipart(
        (
            'Content-Disposition: form-data; name="upload_file"; filename="b.bin"',
            b"y" * (MAX_BYTES + 1),
        )
    )
    response = httpx.post(
        upload_url(served, setup["tasks"][0], setup["token"]),
        content=chunks(body),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        timeout=30,
    )
    assert response.status_code == 413
    assert served.stored() == before


def raw_request(
    served, head: str, body: bytes = b"", read_timeout: float = 10
) -> tuple[int, float]:
    """Send raw bytes; return the status code and the seconds until it arrived."""
    host, port = served.url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=read_timeout) as sock:
        sock.sendall(head.encode() + body)
        reply = sock.recv(4096).decode("latin-1")
    return int(reply.split(" ", 2)[1]), time.monotonic() - started


def head(served, path: str, length: str, boundary: str = BOUNDARY) -> str:
    return (
        f"POST {path} HTTP/1.1\r\nHost: x\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    )


def test_a_declared_length_over_the_cap_is_413_before_the_body_is_sent(served):
    setup = served_setup(served, user="declared", count=1)
    path = f"/api/v1/sync_tasks/{setup['tasks'][0]}/upload/?token={setup['token']}"
    status, seconds = raw_request(served, head(served, path, str(500 * 1024 * 1024 + 1)))
    assert status == 413 and seconds < 5


@pytest.mark.parametrize("length", ["-1", "abc"])
def test_an_invalid_content_length_is_400_on_the_wire(served, length):
    setup = served_setup(served, user=f"len{length.strip('-')}", count=1)
    path = f"/api/v1/sync_tasks/{setup['tasks'][0]}/upload/?token={setup['token']}"
    status, seconds = raw_request(served, head(served, path, length), b"abc")
    assert status == 400 and seconds < 5


def test_a_client_disconnect_halfway_keeps_nothing_and_leaves_the_source_free(served):
    setup = served_setup(served, user="gone", count=1)
    task, token = setup["tasks"][0], setup["token"]
    before = served.stored()
    body = multipart(
        (
            'Content-Disposition: form-data; name="upload_file"; filename="g.bin"',
            b"z" * (2 * 1024 * 1024),
        )
    )
    path = f"/api/v1/sync_tasks/{task}/upload/?token={token}"
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(head(served, path, str(len(body))).encode() + body[: len(body) // 2])
        until(lambda: spool_files(served), "the server to start receiving")
    until(lambda: served.stored() == before, "the server to drop what it received")
    assert served.stored() == before
    again = httpx.post(upload_url(served, task, token), files={"upload_file": ("a.bin", b"a")})
    assert again.status_code == 201


def test_a_client_that_stalls_mid_body_gets_408_and_nothing_is_kept(served):
    setup = served_setup(served, user="stall", count=1)
    task, token = setup["tasks"][0], setup["token"]
    before = served.stored()
    body = multipart(
        ('Content-Disposition: form-data; name="upload_file"; filename="s.bin"', b"s" * 100_000)
    )
    path = f"/api/v1/sync_tasks/{task}/upload/?token={token}"
    started = time.monotonic()
    status, _ = raw_request(
        served, head(served, path, str(len(body))), body[:50_000], read_timeout=30
    )
    assert status == 408 and time.monotonic() - started < IDLE_TIMEOUT + 10
    until(lambda: served.stored() == before, "the server to drop what it received")


def test_bad_chunked_framing_is_400_not_500(served):
    setup = served_setup(served, user="badchunk", count=1)
    path = f"/api/v1/sync_tasks/{setup['tasks'][0]}/upload/?token={setup['token']}"
    request = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n"
    )
    status, _ = raw_request(served, request, b"10\r\n" + b"x" * 16 + b"\r\nzz\r\n")
    assert status == 400
