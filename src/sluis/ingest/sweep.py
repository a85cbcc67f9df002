"""The sweeper: recovers what a crash or a lost message left behind.

Run at worker start and every ``SLUIS_SWEEP_INTERVAL`` seconds (``sluis.ingest.tasks``), and by
``sluis worker sweep``. Racing sweepers are harmless: every step is a conditional update.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from sluis.ingest.lifecycle import upload_attempt_lost
from sluis.ingest.owners import owner_gone
from sluis.ingest.pipeline import work_root
from sluis.uploads.models import Upload, UploadStatus
from sluis.uploads.queue import upload_enqueue

logger = logging.getLogger(__name__)


@dataclass
class Sweep:
    requeued: int = 0
    failed: int = 0
    woken: int = 0
    work_dirs_removed: int = 0


def uploads_sweep() -> Sweep:
    """Recover what a crash or a lost message left behind (run at worker start and periodically):

    - ``processing`` uploads whose lease expired, or whose worker process on this host is gone
      (``owners.owner_gone``): queued again (or failed after the last attempt);
    - ``queued`` uploads that are due (a wake-up failed or was lost): their wake-up is re-sent;
    - work folders of attempts that are no longer running: removed.
    """
    sweep = Sweep()
    now = timezone.now()
    for upload_id in _orphaned(now):
        status = upload_attempt_lost(
            upload_id=upload_id, reason="its worker stopped or its lease expired"
        )
        sweep.requeued += status == UploadStatus.QUEUED
        sweep.failed += status == UploadStatus.FAILED
    for upload_id in _due_queued(now):
        sweep.woken += _wake(upload_id, now)
    sweep.work_dirs_removed = work_dirs_sweep()
    return sweep


def _orphaned(now) -> list[int]:
    """Processing uploads whose lease expired or whose owner is provably gone."""
    processing = Upload.objects.filter(status=UploadStatus.PROCESSING)
    expired = set(processing.filter(lease_expires_at__lt=now).values_list("pk", flat=True))
    owners = processing.exclude(claimed_by="").values_list("pk", "claimed_by")
    return sorted(expired | {pk for pk, owner in owners if owner_gone(owner)})


def _due_queued(now) -> list[int]:
    silent_since = now - timedelta(seconds=settings.SLUIS_REQUEUE_AFTER)
    due = Q(lease_expires_at__lte=now) | Q(lease_expires_at=None, received_at__lt=silent_since)
    return list(
        Upload.objects.filter(due, status=UploadStatus.QUEUED)
        .order_by("received_at")
        .values_list("pk", flat=True)
    )


def _wake(upload_id: int, now) -> bool:
    """Re-send one wake-up; the conditional update keeps racing sweepers from doubling it."""
    later = now + timedelta(seconds=settings.SLUIS_REQUEUE_AFTER)
    mine = Upload.objects.filter(
        Q(lease_expires_at__lte=now) | Q(lease_expires_at=None),
        pk=upload_id,
        status=UploadStatus.QUEUED,
    ).update(lease_expires_at=later)
    if not (mine and upload_enqueue(upload_id=upload_id)):
        return False
    logger.info(
        "upload %s: wake-up sent again",
        upload_id,
        extra={"event": "upload.woken", "upload_id": upload_id},
    )
    return True


def work_dirs_sweep() -> int:
    """Remove work folders left by killed attempts (a folder is kept while its attempt runs)."""
    removed = 0
    for folder in work_root().glob("upload-*-*-*"):
        _, upload_id, attempt, _ = folder.name.split("-", 3)
        running = Upload.objects.filter(
            pk=int(upload_id), status=UploadStatus.PROCESSING, attempts=int(attempt)
        ).exists()
        if not running:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
