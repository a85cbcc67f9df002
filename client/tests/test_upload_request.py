"""What ``upload`` sends: the file as the ``upload_file`` part, under its own name only."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from scripted import ScriptedServer, upload_created

from sluis_client import Client


def test_the_file_is_sent_as_upload_file_under_its_own_name(
    client: Client, server: ScriptedServer, csv_file: Path
) -> None:
    server.reply(upload_created())

    client.upload(12, csv_file)

    request, body = server.requests[0], server.bodies[0]
    assert request.method == "POST"
    assert request.url.path == "/api/v1/sync_tasks/12/upload/"
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert int(request.headers["Content-Length"]) == len(body)
    assert b'name="upload_file"; filename="levels.csv"' in body
    assert csv_file.read_bytes() in body
    assert os.fspath(csv_file.parent).encode() not in body


def test_a_windows_path_sends_only_the_files_name(
    client: Client, server: ScriptedServer, tmp_path: Path
) -> None:
    server.reply(upload_created(), upload_created())
    on_disk = tmp_path / r"C:\data\levels#1.csv"  # one file name with backslashes in it
    on_disk.write_bytes(b"a,b\n")
    stream = io.BytesIO(b"a,b\n")
    stream.name = r"D:\exports\levels#2.csv"

    client.upload(12, on_disk)
    client.upload(12, stream)

    assert b'filename="levels#1.csv"' in server.bodies[0]
    assert b'filename="levels#2.csv"' in server.bodies[1]
    assert b"C:" not in server.bodies[0] and b"exports" not in server.bodies[1]


def test_filename_overrides_the_name_sent(
    client: Client, server: ScriptedServer, csv_file: Path
) -> None:
    server.reply(upload_created())

    client.upload(12, csv_file, filename="levels-2024.csv")

    assert b'filename="levels-2024.csv"' in server.bodies[0]


def test_a_pipe_is_sent_whole_with_a_content_length(client: Client, server: ScriptedServer) -> None:
    server.reply(upload_created())
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as writer:
        writer.write(b"a,b\n1,2\n")
    with os.fdopen(read_end, "rb") as pipe:
        client.upload(12, pipe, filename="piped.csv")

    body = server.bodies[0]
    assert b'filename="piped.csv"' in body
    assert b"a,b\n1,2\n" in body
    assert int(server.requests[0].headers["Content-Length"]) == len(body)


def test_a_file_opened_as_text_is_refused_before_anything_is_sent(
    client: Client, server: ScriptedServer, csv_file: Path
) -> None:
    with open(csv_file, encoding="utf-8") as text, pytest.raises(TypeError, match="binary"):
        client.upload(12, text)  # type: ignore[arg-type]

    assert server.requests == []
