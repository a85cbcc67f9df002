"""Embedded broker: kombu's filesystem transport vs its SQLAlchemy transport on SQLite.

Measures what the embedded worker feels: publish cost (in the web request, after commit) and
publish-to-receive latency with a polling consumer in another process, each with the 0.2 s
polling interval Sluis uses. The anchor is the SQLAlchemy transport (the other broker-free
option). Run: .venv/bin/python bench/embedded_broker.py
"""

import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kombu import Connection

N_PUBLISH = 500
N_LATENCY = 30


def transports(folder: Path) -> dict[str, tuple[str, dict]]:
    queue = folder / "queue"
    queue.mkdir()
    return {
        "filesystem": (
            "filesystem://",
            {
                "data_folder_in": str(queue),
                "data_folder_out": str(queue),
                "control_folder": str(folder),
                "polling_interval": 0.2,
            },
        ),
        # the SQLAlchemy transport hands its options to create_engine: polling is set below
        "sqlalchemy+sqlite": (f"sqla+sqlite:///{folder / 'broker.sqlite3'}", {}),
    }


def connect(url: str, options: dict) -> Connection:
    conn = Connection(url, transport_options=options)
    conn.transport.polling_interval = 0.2
    return conn


def consume(url: str, options: dict, count: int, out) -> None:
    with connect(url, options) as conn:
        queue = conn.SimpleQueue("latency")
        delays = []
        for _ in range(count):
            message = queue.get(block=True, timeout=30)
            delays.append(time.time() - message.payload["sent"])
            message.ack()
        out.put(delays)


def measure(url: str, options: dict) -> tuple[float, float, float]:
    with connect(url, options) as conn:
        queue = conn.SimpleQueue("publish")
        started = time.perf_counter()
        for i in range(N_PUBLISH):
            queue.put({"upload_id": i})
        publish_ms = (time.perf_counter() - started) / N_PUBLISH * 1000
    out = multiprocessing.Queue()
    consumer = multiprocessing.Process(target=consume, args=(url, options, N_LATENCY, out))
    consumer.start()
    time.sleep(1)  # let the consumer start polling
    with connect(url, options) as conn:
        queue = conn.SimpleQueue("latency")
        for _ in range(N_LATENCY):
            queue.put({"sent": time.time()})
            time.sleep(0.1)
    delays = out.get(timeout=60)
    consumer.join()
    return publish_ms, statistics.median(delays) * 1000, max(delays) * 1000


def main() -> int:
    results = {}
    for name in ("filesystem", "sqlalchemy+sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            url, options = transports(Path(folder))[name]
            results[name] = measure(url, options)
            publish, median, worst = results[name]
            print(
                f"{name:20s} publish {publish:6.2f} ms/msg   "
                f"latency median {median:6.0f} ms, max {worst:6.0f} ms"
            )
    ratio = results["sqlalchemy+sqlite"][0] / results["filesystem"][0]
    print(f"publish cost: Sluis (filesystem) is {ratio:.1f}x faster than the anchor (sqlalchemy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
