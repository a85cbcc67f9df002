"""Run a batch iterator in a thread a few items ahead, so parsing overlaps the writes.

pyarrow's kernels and the database drivers release the GIL, so on two cores the next batch is
parsed and validated while the current one is copied into the database. At most ``depth`` batches
wait in the queue: memory stays bounded. Errors raised by the iterator are re-raised in the
consumer; a consumer that stops early stops the thread and closes the iterator.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


def prefetched(items: Iterable[T], *, depth: int = 2) -> Iterator[T]:
    channel: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                channel.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not put((item, None)):
                    break
            else:
                put((_END, None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put((_END, exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="sluis-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item, error = channel.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join()
