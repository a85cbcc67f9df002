"""A tiny real HTTP proxy for the client's network-failure tests.

It listens on a free local port and forwards each request (one per connection) to the live
Sluis. For the first ``drop_responses`` requests it forwards the request, lets Sluis answer, and
then closes the client's connection without passing the answer on: the situation a supplier's
script meets when a connection breaks after the server stored the upload. It records every
request's method, path and headers so a test can check what the client sent.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body_size: int
    answered: bool


@dataclass
class DroppingProxy:
    upstream: str
    drop_responses: int = 1
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        target = urlsplit(self.upstream)
        self._target = (target.hostname or "127.0.0.1", target.port or 80)
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.connection, self.rfile)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> DroppingProxy:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, client: socket.socket, rfile) -> None:
        request_line = rfile.readline()
        if not request_line:
            return
        head, headers = self._read_head(rfile)
        size = int(headers.get("content-length", "0"))
        body = rfile.read(size)
        response = self._forward(request_line + head, body)
        with self._lock:
            answer = len(self.seen) >= self.drop_responses
            method, path, _ = request_line.decode("latin-1").split(" ", 2)
            self.seen.append(Seen(method, path, headers, len(body), answer))
        if answer:
            client.sendall(response)
        else:  # close without a byte of the answer, as a broken connection would
            client.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _read_head(rfile) -> tuple[bytes, dict[str, str]]:
        lines, headers = [], {}
        while (line := rfile.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "connection":
                continue
            headers[name.strip().lower()] = value.strip()
            lines.append(line)
        lines.append(b"Connection: close\r\n\r\n")
        return b"".join(lines), headers

    def _forward(self, head: bytes, body: bytes) -> bytes:
        with socket.create_connection(self._target, timeout=60) as upstream:
            upstream.sendall(head + body)
            chunks = []
            while chunk := upstream.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)
