"""``Client``: find sync tasks, upload files to them and wait for the result."""

from __future__ import annotations

import dataclasses
import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import IO, Any, cast

import httpx

from sluis_client import __version__
from sluis_client.errors import (
    ApiError,
    ConfigurationError,
    ConnectionFailed,
    ProcessingFailed,
    WaitTimeout,
)
from sluis_client.models import SyncTask, UploadResult, UploadStatus
from sluis_client.retry import PollPolicy, RetryPolicy
from sluis_client.streaming import FileSource, PathOrFile, ProgressCallback
from sluis_client.transport import RetryCallback, send_with_retry

UploadRef = UploadResult | UploadStatus | int


def api_root(base_url: str) -> str:
    """``https://host`` or ``https://host/api/v1`` → ``https://host/api/v1/``."""
    url = (base_url or "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"The Sluis URL must start with http:// or https://, not {base_url!r}."
        )
    if not url.endswith("/api/v1"):
        url += "/api/v1"
    return url + "/"


class Client:
    """A connection to one Sluis server with one API token.

    ``base_url`` is the server's address, with or without ``/api/v1``. ``token`` is sent in the
    ``Authorization`` header (never in the URL, so it stays out of access logs); without one only
    public sync tasks are visible. ``timeout`` (seconds, or an ``httpx.Timeout``) bounds each
    network step (connecting, each read, each write), not a whole upload. ``retry`` bounds
    upload and request retries, ``poll`` the polling of ``wait``.

    Use it as a context manager (``with Client(...) as sluis:``) or call ``close()``.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout = 60.0,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        verify: bool | str = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = api_root(base_url)
        self.retry = retry or RetryPolicy()
        self.poll = poll or PollPolicy()
        headers = {"User-Agent": f"sluis-client/{__version__} httpx/{httpx.__version__}"}
        if token:
            headers["Authorization"] = f"Token {token.strip()}"
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            verify=verify,
            transport=transport,
            follow_redirects=False,
        )

    # --- sync tasks -------------------------------------------------------------------------

    def sync_tasks(
        self,
        *,
        uploadable: bool | None = True,
        search: str | None = None,
        task_type: str | None = None,
        private: bool | None = None,
        page_size: int = 50,
    ) -> Iterator[SyncTask]:
        """Every sync task visible to the token that matches the filters, page after page.

        ``uploadable=True`` (the default) lists only the tasks that accept uploads; ``None``
        lists all. Pages are fetched lazily, ``page_size`` (at most 50) at a time.
        """
        params: dict[str, str | int] = {"page_size": page_size}
        if uploadable is not None:
            params["uploadable"] = _flag(uploadable)
        if private is not None:
            params["private"] = _flag(private)
        if search:
            params["search"] = search
        if task_type:
            params["task_type"] = task_type
        for page in itertools.count(1):
            data = self._get_json("sync_tasks/", params={**params, "page": page})
            yield from (SyncTask.from_json(item) for item in data.get("results") or ())
            if not data.get("next"):
                return

    def sync_task(self, task_id: int) -> SyncTask:
        """One sync task; ``NotFound`` if it does not exist or is not visible to the token."""
        return SyncTask.from_json(self._get_json(f"sync_tasks/{int(task_id)}/"))

    # --- uploads ----------------------------------------------------------------------------

    def upload(
        self,
        task_id: int,
        file: PathOrFile,
        *,
        filename: str | None = None,
        progress: ProgressCallback | None = None,
        idempotency_key: str | None = None,
        retry: RetryPolicy | None = None,
        on_retry: RetryCallback | None = None,
    ) -> UploadResult:
        """Upload one file (a path or a binary file object) to sync task ``task_id``.

        The file is streamed as the ``upload_file`` part of a multipart body, never read whole
        into memory; ``progress(sent, total)`` is called as it goes. The name sent is the last
        component of the path (``/`` and ``\\`` both separate) unless ``filename`` is given.

        A 409 (the data source is processing an earlier upload) is retried after the server's
        ``Retry-After``; a broken connection, a timeout or a 502/503/504 after a doubling
        backoff. Every attempt carries the same ``Idempotency-Key`` (``idempotency_key`` or a
        random one), so a retry after a lost response never stores the file twice. Attempts and
        total waiting are bounded by ``retry`` (default: the client's policy); when they run out
        the last error is raised (``Busy``, ``ConnectionFailed``, ...). Other errors are raised at
        once: ``Forbidden``, ``NotFound``, ``NotUploadable``, ``TooLarge``, ``UnsupportedFormat``.
        ``on_retry(error, delay)`` is told about each retry before the client sleeps.
        """
        key = idempotency_key or uuid.uuid4().hex
        url = f"sync_tasks/{int(task_id)}/upload/"
        with FileSource(file, filename) as source:

            def send() -> httpx.Response:
                body = cast(IO[bytes], source.body(progress))
                files = {"upload_file": (source.filename, body)}
                return self._http.post(url, files=files, headers={"Idempotency-Key": key})

            response, attempts = self._send(send, retry or self.retry, on_retry)
        return UploadResult.from_json(_json(response), attempts=attempts)

    def upload_status(self, upload: UploadRef) -> UploadStatus:
        """The upload's current status, counts and first errors (``GET /uploads/{id}/``)."""
        return UploadStatus.from_json(self._get_json(f"uploads/{_upload_id(upload)}/"))

    def wait(
        self,
        upload: UploadRef,
        *,
        timeout: float = 3600.0,
        raise_on_failure: bool = True,
        on_status: Callable[[UploadStatus], None] | None = None,
    ) -> UploadStatus:
        """Poll the upload until it has ``succeeded`` or ``failed`` and return its final status.

        Polls start after ``poll.interval`` seconds and slow down to ``poll.max_interval``;
        ``on_status`` sees every status read. A failed upload raises ``ProcessingFailed``
        (carrying the status with its errors) unless ``raise_on_failure`` is false. After
        ``timeout`` seconds ``WaitTimeout`` is raised; the upload itself goes on. A broken
        connection while polling is retried until the deadline.
        """
        deadline = time.monotonic() + timeout
        delay = self.poll.interval
        while True:
            status = self._poll_once(upload, deadline)
            if status is not None and on_status is not None:
                on_status(status)
            if status is not None and status.finished:
                break
            if time.monotonic() + delay > deadline:
                raise WaitTimeout(status or self.upload_status(upload), timeout)
            time.sleep(delay)
            delay = self.poll.next(delay)
        if status.failed and raise_on_failure:
            raise ProcessingFailed(status)
        return status

    def _poll_once(self, upload: UploadRef, deadline: float) -> UploadStatus | None:
        try:
            return self.upload_status(upload)
        except ConnectionFailed:
            if time.monotonic() >= deadline:
                raise
            return None

    # --- plumbing -----------------------------------------------------------------------------

    def _get_json(self, url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        # Reads retry connection failures like uploads do, but never wait long: a listing or a
        # status is cheap to ask for again later.
        policy = dataclasses.replace(self.retry, total_wait=min(self.retry.total_wait, 60.0))
        response, _ = self._send(lambda: self._http.get(url, params=params), policy)
        return _json(response)

    def _send(
        self,
        send: Callable[[], httpx.Response],
        policy: RetryPolicy,
        on_retry: RetryCallback | None = None,
    ) -> tuple[httpx.Response, int]:
        """Send until a 2xx, a non-retryable error, or the policy's bounds; see ``transport``."""
        return send_with_retry(send, policy=policy, server=self.base_url, on_retry=on_retry)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ApiError(
            f"The server answered {response.status_code} but not with a JSON object; "
            "is the URL that of a Sluis server?",
            code="unexpected_response",
            status_code=response.status_code,
        )
    return data


def _upload_id(upload: UploadRef) -> int:
    return upload if isinstance(upload, int) else upload.id


def _flag(value: bool) -> str:
    return "true" if value else "false"
