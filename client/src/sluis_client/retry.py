"""How long and how often the client retries an upload, and how ``wait`` polls.

Retrying an upload is safe because every attempt of one ``upload()`` call carries the same
``Idempotency-Key``: a server that already stored the file answers with that upload instead of
storing it twice. Retries are bounded twice over, by attempts and by total seconds slept, so a
scheduled job never hangs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds for ``Client.upload`` retries.

    - ``attempts``: requests at most, the first one included (1 disables retrying).
    - ``total_wait``: seconds the client may sleep between attempts, all retries together. A
      ``Retry-After`` that would pass this budget is not waited for: the error is raised at once.
    - ``busy_delay``: seconds to wait after a 409 without ``Retry-After``.
    - ``backoff`` / ``backoff_max``: the first delay after a broken connection or a 502/503/504,
      doubled on each further one, capped at ``backoff_max``.
    """

    attempts: int = 5
    total_wait: float = 900.0
    busy_delay: float = 15.0
    backoff: float = 1.0
    backoff_max: float = 60.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1.")
        if min(self.total_wait, self.busy_delay, self.backoff, self.backoff_max) < 0:
            raise ValueError("RetryPolicy delays must not be negative.")

    def connection_delay(self, failures: int) -> float:
        """Delay after the ``failures``-th consecutive transport failure (1-based)."""
        return float(min(self.backoff * 2.0 ** (failures - 1), self.backoff_max))


@dataclass(frozen=True)
class PollPolicy:
    """How ``Client.wait`` polls: ``interval`` seconds first, times ``factor`` up to ``max``."""

    interval: float = 1.0
    factor: float = 1.5
    max_interval: float = 30.0

    def next(self, delay: float) -> float:
        return min(delay * self.factor, self.max_interval)
