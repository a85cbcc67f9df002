"""The sweeper takes back an upload whose owner process is provably gone (same host, no process
with that pid and start time) at once, and leaves other owners to their lease."""

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from sluis.ingest.owners import process_owner
from sluis.ingest.sweep import uploads_sweep
from sluis.uploads.models import Upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_wake_ups(settings):
    settings.SLUIS_REQUEUE_AFTER = 3600  # the test looks at the statuses, not the wake-ups


def claimed(test_source, store_upload, owner: str) -> Upload:
    upload = store_upload(test_source(name=f"Owned by {owner}"), b"put a=1\n")
    Upload.objects.filter(pk=upload.pk).update(
        status="processing",
        attempts=1,
        started_at=timezone.now(),
        lease_expires_at=timezone.now() + timedelta(minutes=26),
        claimed_by=owner,
    )
    return upload


def dead_owner() -> str:
    child = subprocess.Popen(
        [sys.executable, "-c", "from sluis.ingest.owners import process_owner as p; print(p())"],
        stdout=subprocess.PIPE,
        text=True,
    )
    out, _ = child.communicate(timeout=30)
    return out.strip()


def status_after_sweep(upload: Upload) -> str:
    uploads_sweep()
    upload.refresh_from_db()
    return upload.status


def test_an_upload_whose_owner_on_this_host_is_gone_is_queued_again_at_once(
    test_source, store_upload
):
    upload = claimed(test_source, store_upload, dead_owner())
    assert status_after_sweep(upload) == "queued"


def test_a_reused_pid_with_another_start_time_counts_as_gone(test_source, store_upload):
    host, pid, started = process_owner().rsplit(":", 2)
    upload = claimed(test_source, store_upload, f"{host}:{pid}:{int(started) - 1}")
    assert status_after_sweep(upload) == "queued"


def test_a_running_owner_and_an_owner_on_another_host_keep_the_upload_until_the_lease(
    test_source, store_upload
):
    running = claimed(test_source, store_upload, process_owner())
    assert status_after_sweep(running) == "processing"
    elsewhere = claimed(test_source, store_upload, f"not-{socket.gethostname()}:1:1")
    assert status_after_sweep(elsewhere) == "processing"
