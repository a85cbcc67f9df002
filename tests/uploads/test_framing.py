"""Malformed HTTP framing against a real ``sluis serve``, over raw sockets: gunicorn refuses it
before Django sees the request, and the answer is Sluis's JSON error body, never an HTML page."""

import json
import socket

import pytest

from tests.uploads.conftest import BOUNDARY, multipart
from tests.uploads.served import served_setup

pytestmark = pytest.mark.services

BODY = multipart(('Content-Disposition: form-data; name="upload_file"; filename="f.csv"', b"a,b\n"))


@pytest.fixture(scope="module")
def target(served):
    setup = served_setup(served, user="framing", count=1)
    return f"/api/v1/sync_tasks/{setup['tasks'][0]}/upload/?token={setup['token']}"


def exchange(served, path: str, framing: list[str], body: bytes = BODY) -> tuple[int, dict, str]:
    """Send one POST with the given framing header lines; return status, headers and the text
    of the reply (the server closes the connection after a framing error)."""
    head = [
        f"POST {path} HTTP/1.1",
        "Host: x",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        *framing,
    ]
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    raw_head, _, text = reply.decode("latin-1").partition("\r\n\r\n")
    status_line, *lines = raw_head.split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split(" ")[1]), headers, text


def assert_json_error(reply: tuple[int, dict, str], status: int, code: str) -> None:
    got_status, headers, text = reply
    assert got_status == status, text
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    body = json.loads(text)
    assert body["code"] == code and body["detail"]


@pytest.mark.parametrize("length", ["-1", "abc", "+123", "0x10", " 12 3", "1e3"])
def test_a_content_length_that_is_not_digits_is_json_invalid_content_length(served, target, length):
    reply = exchange(served, target, [f"Content-Length: {length}"])
    assert_json_error(reply, 400, "invalid_content_length")


def test_two_different_content_lengths_are_json_invalid_content_length(served, target):
    framing = [f"Content-Length: {len(BODY)}", f"Content-Length: {len(BODY) + 1}"]
    assert_json_error(exchange(served, target, framing), 400, "invalid_content_length")


def test_chunked_with_a_content_length_is_json_invalid_content_length(served, target):
    framing = ["Transfer-Encoding: chunked", f"Content-Length: {len(BODY)}"]
    assert_json_error(exchange(served, target, framing), 400, "invalid_content_length")


@pytest.mark.parametrize(
    "coding", ["chunked, identity", "identity, chunked", "gzip, chunked", "chunked, chunked"]
)
def test_a_transfer_encoding_other_than_chunked_alone_is_refused_and_nothing_is_kept(
    served, target, coding
):
    before = served.stored()
    body = f"{len(BODY):x}\r\n".encode() + BODY + b"\r\n0\r\n\r\n"
    reply = exchange(served, target, [f"Transfer-Encoding: {coding}"], body)
    assert_json_error(reply, 400, "invalid_transfer_encoding")
    assert served.stored() == before


def test_an_unknown_transfer_coding_is_json_501(served, target):
    reply = exchange(served, target, ["Transfer-Encoding: x-magic"])
    assert_json_error(reply, 501, "unsupported_transfer_coding")


def test_a_malformed_request_line_is_json_400(served):
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /api/v1/ HTTP/9.9\r\nHost: x\r\n\r\n")
        reply = sock.recv(65536).decode("latin-1")
    head, _, text = reply.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 400") and "application/json" in head
    assert json.loads(text)["code"] == "malformed_request"


def test_a_chunked_upload_still_works_after_the_refusals(served, target):
    body = f"{len(BODY):x}\r\n".encode() + BODY + b"\r\n0\r\n\r\n"
    status, _, text = exchange(
        served, target, ["Transfer-Encoding: chunked", "Connection: close"], body
    )
    assert status == 201, text
