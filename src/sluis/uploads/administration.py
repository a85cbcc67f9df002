"""The administrator's actions on an upload: fail it, queue it again, process it again.

Each runs under a row lock and keeps the busy rule (one queued or processing upload per data
source, the partial unique constraint): a requeue or reprocess while another upload of the data
source is busy answers 409 ``data_source_busy``. A requeued or reprocessed upload wakes a worker
once its transaction commits.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from sluis.kinds import kind_find
from sluis.text import datetime_text
from sluis.uploads import errors
from sluis.uploads.intake import MAX_ID, data_source_busy, upload_running
from sluis.uploads.models import BUSY_STATUSES, FINISHED_STATUSES, Upload, UploadStatus
from sluis.uploads.queue import upload_queued_announce
from sluis.uploads.signals import upload_finished
from sluis.uploads.storage import object_storage


def upload_fail_by_administrator(*, upload_id: int, reason: str = "") -> Upload:
    """Fail a queued or processing upload (an administrator's action); frees the data source."""
    with transaction.atomic():
        upload = _locked(upload_id)
        if upload.status not in BUSY_STATUSES:
            raise errors.InvalidTransition(f"Upload {upload_id} is {upload.status}, not busy.")
        upload.status = UploadStatus.FAILED
        upload.failure_reason = reason or "Failed by an administrator."
        upload.finished_at = timezone.now()
        upload.lease_expires_at = None
        upload.save()
        upload_finished.send(sender=Upload, upload_id=upload.pk)
    return upload


def upload_requeue(*, upload_id: int) -> Upload:
    """Queue a failed (or stuck processing) upload again and wake the processing engine.

    409 when another upload of the data source is busy: the busy rule holds for requeues too.
    """
    try:
        with transaction.atomic():
            upload = _locked(upload_id)
            _check_requeueable(upload)
            _reset(upload)
            upload.save()
            upload_queued_announce(upload=upload)
    except IntegrityError:
        source = Upload.objects.get(pk=upload_id).data_source
        raise data_source_busy(upload_running(source)) from None
    return upload


def _check_requeueable(upload: Upload) -> None:
    if upload.status not in (UploadStatus.FAILED, UploadStatus.PROCESSING):
        raise errors.InvalidTransition(
            f"Upload {upload.pk} is {upload.status}; only failed or processing uploads requeue."
        )
    upload_original_check(upload=upload)


def upload_original_check(*, upload: Upload) -> None:
    """Raise ``OriginalPurged`` (retention) or ``OriginalMissing`` unless the original is stored."""
    if upload.original_purged_at is not None:
        purged = upload.original_purged_at.date().isoformat()
        raise errors.OriginalPurged(
            f"The original of upload {upload.pk} was removed on {purged} after its retention "
            "period; it can no longer be downloaded or processed again.",
            purged_at=datetime_text(upload.original_purged_at),
        )
    if not upload.storage_key or not object_storage().exists(upload.storage_key):
        raise errors.OriginalMissing(
            f"The original of upload {upload.pk} is no longer in the object storage."
        )


def _reset(upload: Upload) -> None:
    upload.status = UploadStatus.QUEUED
    upload.started_at = upload.finished_at = upload.lease_expires_at = None
    upload.failure_reason = ""
    upload.errors, upload.warnings, upload.error_count = [], [], 0
    upload.inserted = upload.updated = upload.unchanged = upload.deleted = upload.rejected = 0


def _locked(upload_id: int) -> Upload:
    if not 0 < upload_id <= MAX_ID:
        raise errors.UploadNotFound()
    upload = Upload.objects.select_for_update().filter(pk=upload_id).first()
    if upload is None:
        raise errors.UploadNotFound()
    return upload


def upload_reprocess(*, upload_id: int, force: bool = False) -> Upload:
    """Process a finished upload's stored original again, as a new upload linked to it.

    The new upload (``reprocess_of`` = the upload that received the file) goes through the
    normal queue and worker; the earlier record keeps its own outcome, so the history says what
    happened to the file each time (decision 0012). Refused while the data source is busy (409
    ``data_source_busy``), when the original is gone (410 ``original_purged`` /
    ``original_missing``) and, unless ``force``, when the kind's ``reprocess_guard`` refuses (a
    vector data source whose current features come from a newer upload: 409
    ``upload_superseded``, since a replace would bring older data back).
    """
    try:
        with transaction.atomic():
            earlier = _locked(upload_id)
            root = earlier.reprocess_of or earlier
            _check_reprocessable(earlier, root, force)
            upload = _reprocess_row(earlier, root)
            upload.save()
            upload_queued_announce(upload=upload)
    except IntegrityError:
        source = Upload.objects.get(pk=upload_id).data_source
        raise data_source_busy(upload_running(source)) from None
    return upload


def _check_reprocessable(upload: Upload, root: Upload, force: bool) -> None:
    if upload.status not in FINISHED_STATUSES:
        raise errors.InvalidTransition(
            f"Upload {upload.pk} is {upload.status}; only a finished (succeeded or failed) "
            "upload can be processed again."
        )
    upload_original_check(upload=upload)
    if (running := upload_running(upload.data_source)) is not None:
        raise data_source_busy(running)
    kind = kind_find(upload.data_source.kind)
    if not force and kind is not None and kind.reprocess_guard is not None:
        kind.reprocess_guard(upload=upload, root=root)


def _reprocess_row(earlier: Upload, root: Upload) -> Upload:
    return Upload(
        uploader_id=earlier.uploader_id,
        sync_task_id=earlier.sync_task_id,
        data_source_id=earlier.data_source_id,
        original_filename=earlier.original_filename,
        filename=earlier.filename,
        size=earlier.size,
        sha256=earlier.sha256,
        content_type=earlier.content_type,
        detected_format=earlier.detected_format,
        storage_key=earlier.storage_key,
        status=UploadStatus.QUEUED,
        received_at=timezone.now(),
        reprocess_of=root,
    )
