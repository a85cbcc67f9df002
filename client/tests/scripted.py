"""A scripted Sluis for the client's tests: canned replies through ``httpx.MockTransport``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from sluis_client import PollPolicy, RetryPolicy

BASE_URL = "https://sluis.test"
TOKEN = "supplier-token"

# Retries as the defaults do them, minus the sleeping: ``sleeps`` records the delays instead.
RETRY = RetryPolicy(attempts=5, total_wait=900.0, busy_delay=15.0, backoff=1.0, backoff_max=60.0)
POLL = PollPolicy(interval=0.001, factor=2.0, max_interval=0.002)

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def json_response(status: int, body: Any, **headers: str) -> httpx.Response:
    """A response with a JSON body (``headers`` use ``_`` for ``-``: ``Retry_After="3"``)."""
    return httpx.Response(
        status, json=body, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )


def error_response(
    status: int, code: str, detail: str = "Refused.", **extra: Any
) -> httpx.Response:
    """A Sluis error: ``{"detail", "code", ...}`` with ``status``."""
    return httpx.Response(status, json={"detail": detail, "code": code, **extra})


def upload_created(upload_id: int = 17, **fields: Any) -> httpx.Response:
    """The 201 of ``POST /sync_tasks/{id}/upload/``, as docs/api.md shows it."""
    body = {
        "uploader": "Demo Supplier",
        "filename": "evaporation2020-1-1.tif",
        "upload_date": "2021-01-18T11:55:11Z",
        "download_link": "https://sluis.test/api/v1/download/abc/",
        "id": upload_id,
        "status": "queued",
        "status_url": f"https://sluis.test/api/v1/uploads/{upload_id}/",
        "size": 1048576,
        "sha256": "9f86d0",
        "original_filename": "evaporation#2020-1-1.tif",
        "download_link_expires": "2021-01-19T11:55:11Z",
        **fields,
    }
    return json_response(201, body)


@dataclass
class ScriptedServer:
    """Answers each request with the next scripted reply and records what it was sent.

    A reply is a response, an exception to raise (a broken connection), or a function of the
    request. The request body is read in full, as a server would, into ``bodies``.
    """

    replies: list[Reply] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)

    def reply(self, *replies: Reply) -> ScriptedServer:
        self.replies.extend(replies)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(request.read())
        self.requests.append(request)
        if not self.replies:
            raise AssertionError(f"Unexpected request {request.method} {request.url}")
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)
