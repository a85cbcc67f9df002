"""Sending one logical request until it succeeds, fails for good, or the retry bounds run out.

``send_with_retry`` knows nothing of URLs or bodies: it calls ``send()`` (which builds and sends
one attempt, so a file body can be rewound for each) and decides from the outcome whether to
sleep and call it again. Every request of the client goes through it, and so can any new kind of
request (a resumable upload's ``HEAD``/``PATCH``, for instance) without a loop of its own.

What is retried:

- a failure of the connection itself (``httpx.NetworkError``, ``httpx.TimeoutException``,
  ``httpx.RemoteProtocolError``), after a doubling backoff;
- 502, 503 and 504 (a proxy or a restarting server), after ``Retry-After`` if given, else the
  same backoff;
- 409 (``Busy``, the data source is processing an earlier upload) and 429 (``RateLimited``),
  after ``Retry-After`` if given, else ``RetryPolicy.busy_delay``.

Anything else (another 4xx, a 500, a malformed URL) is raised at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from sluis_client.errors import (
    Busy,
    ConnectionFailed,
    RateLimited,
    ServerError,
    SluisClientError,
    error_from_response,
)
from sluis_client.retry import RetryPolicy

RETRYABLE_TRANSPORT_ERRORS = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)
"""Failures after which the same request may be sent again: the connection could not be made,
broke, or timed out. (A malformed URL or an unsupported scheme is not among them.)"""

RETRYABLE_GATEWAY_STATUSES = frozenset({502, 503, 504})

RetryCallback = Callable[[SluisClientError, float], None]
"""Called as ``on_retry(error, delay_seconds)`` before the client sleeps and tries again."""


def send_with_retry(
    send: Callable[[], httpx.Response],
    *,
    policy: RetryPolicy,
    server: str,
    on_retry: RetryCallback | None = None,
) -> tuple[httpx.Response, int]:
    """The first 2xx response of ``send()`` and the number of attempts it took.

    Raises the typed error of the last attempt (``Busy``, ``ServerError``, ``ConnectionFailed``
    naming ``server``, ...) when it is not retryable, when ``policy.attempts`` requests were sent,
    or when sleeping before the next one would pass ``policy.total_wait``.
    """
    slept = 0.0
    failures = attempt = 0
    while True:
        attempt += 1
        try:
            response = send()
        except RETRYABLE_TRANSPORT_ERRORS as exc:
            failures += 1
            error: SluisClientError = connection_failed(exc, server)
            delay: float | None = policy.connection_delay(failures)
        else:
            if response.is_success:
                return response, attempt
            error = error_from_response(response)
            failures = failures + 1 if response.status_code >= 500 else 0
            delay = retry_delay(error, policy, failures)
        if delay is None or attempt >= policy.attempts or slept + delay > policy.total_wait:
            raise error
        if on_retry is not None:
            on_retry(error, delay)
        time.sleep(delay)
        slept += delay


def retry_delay(error: SluisClientError, policy: RetryPolicy, failures: int) -> float | None:
    """Seconds before retrying after ``error``, or ``None`` if it must not be retried.

    ``failures`` counts the consecutive server or connection failures so far (for the backoff).
    """
    if isinstance(error, Busy | RateLimited):
        after = error.retry_after
        return policy.busy_delay if after is None else after
    if isinstance(error, ServerError) and error.status_code in RETRYABLE_GATEWAY_STATUSES:
        after = error.retry_after
        return policy.connection_delay(failures) if after is None else after
    return None


def connection_failed(exc: Exception, server: str) -> ConnectionFailed:
    """``ConnectionFailed`` naming ``server``, caused by the transport error ``exc``."""
    error = ConnectionFailed(f"Could not complete the request to {server}: {exc or type(exc)}")
    error.__cause__ = exc
    return error
