"""Webhook delivery adds no time to processing.

N timeseries uploads (to N data sources, so they may run side by side) are processed by real
``sluis worker`` processes on the embedded broker and SQLite, three ways:

- ``no webhook``: the anchor;
- ``slow webhook, one worker``: an organization-wide webhook whose receiver takes DELAY s to
  answer, one worker (concurrency 2) serving both queues (the default);
- ``slow webhook, notify worker``: the same, with a second worker (threads) for the notification
  queue and the first one on the processing queue only (docs/operations.md).

Printed per run: the median and largest processing duration of an upload (``finished_at -
started_at``, what the upload record shows) and the wall time from the first wake-up to the last
upload finished. Run: .venv/bin/python bench/webhooks.py [N] [DELAY]
"""

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

N = int(sys.argv[1]) if len(sys.argv) > 1 else 12
DELAY = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
ROWS = 5000
ROOT = Path(__file__).resolve().parent.parent
WORK = Path(tempfile.mkdtemp(prefix="sluis-bench-webhooks-"))
ENV = {
    **os.environ,
    "SLUIS_DATA_DIR": str(WORK / "data"),
    "SLUIS_WEBHOOK_ALLOW_HTTP": "true",
    "SLUIS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    "SLUIS_WEBHOOK_POLL_INTERVAL": "1",
    "SLUIS_LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "sluis.config.settings",
}
os.environ.update(ENV)


class Slow(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(DELAY)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def csv_bytes() -> bytes:
    lines = ["location,parameter,timestamp,value,unit"]
    start = 1_700_000_000
    for i in range(ROWS):
        moment = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 600 * i))
        lines.append(f"LOC1,level,{moment},{i / 10},m")
    return ("\n".join(lines) + "\n").encode()


def workers(layout: str) -> list[subprocess.Popen]:
    from django.conf import settings

    def start(*args: str) -> subprocess.Popen:
        log = (WORK / f"worker-{uuid.uuid4().hex[:6]}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "sluis", "worker", *args],
            env=ENV,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    if layout == "shared":
        return [start("--concurrency=2")]
    return [
        start("--concurrency=2", f"--queues={settings.SLUIS_QUEUE}"),
        start(
            "--concurrency=8", "--pool=threads", f"--queues={settings.SLUIS_NOTIFY_QUEUE}"
        ),
    ]


def run(name: str, layout: str, hook_url: str | None, supplier, content: bytes) -> None:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from sluis.catalog.services import data_source_create
    from sluis.notifications.models import WebhookDelivery, WebhookEndpoint
    from sluis.notifications.services import webhook_create
    from sluis.uploads.models import Upload
    from sluis.uploads.queue import upload_enqueue
    from sluis.uploads.storage import object_storage

    WebhookEndpoint.objects.all().delete()
    if hook_url:
        webhook_create(user=supplier, url=hook_url)
    processes = workers(layout)
    time.sleep(8)  # let the workers start before timing
    uploads = []
    for i in range(N):
        created = data_source_create(
            owner=supplier.organization, name=f"{name} {i}", kind="timeseries", uploadable=True
        )
        key = object_storage().save(f"originals/{uuid.uuid4().hex}", ContentFile(content))
        uploads.append(
            Upload.objects.create(
                uploader=supplier,
                sync_task=created.sync_task,
                data_source=created.data_source,
                original_filename="levels.csv",
                filename="levels.csv",
                size=len(content),
                storage_key=key,
                received_at=timezone.now(),
            )
        )
    started = time.perf_counter()
    for upload in uploads:
        upload_enqueue(upload_id=upload.pk)
    ids = [u.pk for u in uploads]
    while Upload.objects.filter(pk__in=ids, status__in=["queued", "processing"]).exists():
        time.sleep(0.1)
    wall = time.perf_counter() - started
    rows = Upload.objects.filter(pk__in=ids)
    durations = [(u.finished_at - u.started_at).total_seconds() for u in rows]
    statuses = {u.status for u in rows}
    if hook_url:
        while WebhookDelivery.objects.filter(upload_id__in=ids, status="succeeded").count() < N:
            time.sleep(0.2)
    for process in processes:
        process.terminate()
        process.wait(30)
    print(
        f"{name:<30} processing median {statistics.median(durations):5.2f} s, "
        f"max {max(durations):5.2f} s; all {N} done in {wall:5.1f} s  {sorted(statuses)}"
    )


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from sluis.accounts.services import organization_get_or_create, user_create

    call_command("migrate", verbosity=0)
    org = organization_get_or_create(name="Bench")
    supplier = user_create(username="bench", organization=org, data_supplier=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    content = csv_bytes()
    print(f"{N} uploads of {ROWS} rows, receiver answers after {DELAY} s")
    run("no webhook", "shared", None, supplier, content)
    run("slow webhook, one worker", "shared", url, supplier, content)
    run("slow webhook, notify worker", "separate", url, supplier, content)


if __name__ == "__main__":
    main()
