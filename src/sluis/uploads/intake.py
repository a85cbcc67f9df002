"""Receiving uploads: the checks, the stored original, the ``Upload`` row, the wake-up.

``upload_receive`` runs the checks docs/api.md lists, in their order: the ones that need no body
(task, role, uploadable, busy) before a byte is read, then the streamed body (media type, length,
parts, cap), then the pre-flight on the received file. Only then is the original stored durably
under a generated key and the ``Upload`` row inserted. The insert is the busy rule's arbiter: the
partial unique constraint ``one_busy_upload_per_data_source`` lets exactly one of several
simultaneous uploads in; the others get 409 and their stored bytes are deleted.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sluis.catalog.errors import DataSourceNotFound, SyncTaskNotFound
from sluis.catalog.models import DataSource, SyncTask, TaskType
from sluis.catalog.selectors import sync_task_visible, sync_tasks_visible, user_can_upload
from sluis.names import upload_filename_sanitise
from sluis.text import datetime_text, text_storable
from sluis.uploads import errors
from sluis.uploads.inspection import upload_preflight
from sluis.uploads.models import Upload, UploadStatus
from sluis.uploads.naming import storage_key_generate
from sluis.uploads.queue import upload_queued_announce
from sluis.uploads.receiving import Limits, ReceivedFile, RequestBody, form_receive
from sluis.uploads.storage import (
    object_delete,
    object_store_durably,
    spool_dir,
)

logger = logging.getLogger(__name__)
MAX_ID = 2**63 - 1  # beyond it no row can exist (and SQLite cannot even bind the number)


@dataclass(frozen=True)
class Receipt:
    """The accepted upload; ``replayed`` when an Idempotency-Key retry returned an earlier one."""

    upload: Upload
    replayed: bool = False


@dataclass(frozen=True)
class _Target:
    task: SyncTask
    data_source: DataSource
    prior: Upload | None  # an earlier upload with the same Idempotency-Key


def upload_receive(
    *, user, sync_task_id: int, body: RequestBody, idempotency_key: str = ""
) -> Receipt:
    """Receive ``POST /sync_tasks/{id}/upload/``: everything but the body is checked first."""
    task = _visible_task(user, sync_task_id)
    target = _admit(user, task, idempotency_key)
    return _receive(user, body, idempotency_key, lambda fields: target)


def upload_receive_legacy(
    *, user, body: RequestBody, datasource: str | None = None, idempotency_key: str = ""
) -> Receipt:
    """Receive legacy ``POST /uploads/`` with the data source id in the form field ``datasource``.

    The id may come as a query parameter or as a form field before the file; then the checks run
    before the file's bytes are read. A field after the file is honoured too, checked once the
    body is in (and the received bytes dropped if a check fails).
    """

    def resolve(fields: dict[str, str]) -> _Target | None:
        ref = datasource or fields.get("datasource", "")
        if not ref.strip():
            return None
        return _admit(user, _data_source_task(user, ref), idempotency_key)

    early = resolve({}) if datasource else None
    return _receive(user, body, idempotency_key, (lambda fields: early) if early else resolve)


def _receive(user, body: RequestBody, key: str, resolve: Callable) -> Receipt:
    resolved: list[_Target] = []

    def on_file_start(fields: dict[str, str]) -> None:
        if not resolved and (target := resolve(fields)) is not None:
            resolved.append(target)

    form = form_receive(
        body=body, spool_dir=spool_dir(), limits=Limits.from_settings(), on_file_start=on_file_start
    )
    try:
        target = resolved[0] if resolved else resolve(form.fields)
        if target is None:
            raise errors.MissingDataSource()
        return _accept(user, target, form.file, key)
    finally:
        if form.file is not None:
            form.file.discard()


def _visible_task(user, sync_task_id: int) -> SyncTask:
    task = sync_task_visible(user=user, pk=sync_task_id)
    if task is None:
        raise SyncTaskNotFound()
    return task


def _data_source_task(user, ref: str) -> SyncTask:
    """The visible ``data_source`` sync task of data source ``ref`` (legacy API addressing)."""
    ref = ref.strip()
    if not (ref.isascii() and ref.isdigit()):
        raise errors.MissingDataSource(f"'datasource' must be a data source id, not {ref!r}.")
    if int(ref) > MAX_ID:
        raise DataSourceNotFound()
    tasks = sync_tasks_visible(user=user).filter(
        data_source_id=int(ref), task_type=TaskType.DATA_SOURCE
    )
    task = tasks.first()
    if task is None:
        raise DataSourceNotFound()
    return task


def _admit(user, task: SyncTask, key: str) -> _Target:
    """The checks after the task's visibility: role, uploadable, busy (or an idempotent
    retry)."""
    source = task.data_source
    if not _may_upload(user, task):
        raise errors.NotASupplier()
    if task.task_type != TaskType.DATA_SOURCE or source is None:
        raise errors.NotUploadable("The sync task has no data source.")
    if not source.uploadable:
        raise errors.NotUploadable("The data source is not marked as uploadable.")
    prior = _prior(user, key)
    if prior is not None and prior.data_source_id != source.pk:
        raise errors.IdempotencyKeyReused()
    if prior is None and (running := upload_running(source)) is not None:
        raise data_source_busy(running)
    return _Target(task=task, data_source=source, prior=prior)


def _may_upload(user, task: SyncTask) -> bool:
    if task.data_source is not None:
        return user_can_upload(user=user, data_source=task.data_source)
    return user.is_data_supplier and user.organization_id == task.owner_id


def _prior(user, key: str) -> Upload | None:
    if not key:
        return None
    return Upload.objects.filter(uploader=user, idempotency_key=key).order_by("id").first()


def upload_running(source: DataSource) -> Upload | None:
    """The busy upload of ``source`` with the fields ``data_source_busy`` reports (few columns)."""
    running = Upload.objects.busy().filter(data_source=source).order_by()
    return running.only(*_BUSY_FIELDS).first()


_BUSY_FIELDS = ("status", "received_at", "started_at")


def data_source_busy(running: Upload | None) -> errors.DataSourceBusy:
    retry = str(settings.SLUIS_UPLOAD_RETRY_AFTER)
    details = None
    if running is not None:
        details = {
            "id": running.pk,
            "status": running.status,
            "received_at": datetime_text(running.received_at),
            "started_at": datetime_text(running.started_at),
        }
    return errors.DataSourceBusy(headers={"Retry-After": retry}, running_upload=details)


def _accept(user, target: _Target, received: ReceivedFile | None, key: str) -> Receipt:
    if received is None:
        raise errors.MissingFile()
    if received.size == 0:
        raise errors.EmptyFile()
    if target.prior is not None:
        return _replay(target.prior, received)
    detected = upload_preflight(
        path=received.path, filename=received.original_filename, data_source=target.data_source
    )
    stored = object_store_durably(
        source=received.path, key=storage_key_generate(data_source_id=target.data_source.pk)
    )
    try:
        return _record(user, target, received, stored, detected, key)
    except BaseException:
        object_delete(key=stored)
        raise


def _replay(prior: Upload, received: ReceivedFile) -> Receipt:
    if prior.sha256 != received.sha256 or prior.size != received.size:
        raise errors.IdempotencyKeyReused()
    return Receipt(upload=prior, replayed=True)


def _record(user, target: _Target, received: ReceivedFile, stored: str, detected: str, key: str):
    original = text_storable(received.original_filename)
    upload = Upload(
        uploader=user,
        sync_task=target.task,
        data_source=target.data_source,
        original_filename=original,
        filename=upload_filename_sanitise(original),
        size=received.size,
        sha256=received.sha256,
        content_type=received.content_type,
        detected_format=detected or "",
        storage_key=stored,
        idempotency_key=key,
        status=UploadStatus.QUEUED,
        received_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            upload.save()
            upload_queued_announce(upload=upload)
    except IntegrityError:
        prior = _prior(user, key)
        if prior is not None and prior.sha256 == received.sha256:
            object_delete(key=stored)
            return Receipt(upload=prior, replayed=True)
        raise data_source_busy(upload_running(target.data_source)) from None
    _log_received(upload)
    return Receipt(upload=upload)


def _log_received(upload: Upload) -> None:
    logger.info(
        "upload %s received: %s bytes, %s, for data source %s",
        upload.pk,
        upload.size,
        upload.detected_format or "format not detected",
        upload.data_source_id,
        extra={
            "event": "upload.received",
            "upload_id": upload.pk,
            "data_source_id": upload.data_source_id,
            "sync_task_id": upload.sync_task_id,
            "user_id": upload.uploader_id,
            "size": upload.size,
            "detected_format": upload.detected_format,
        },
    )
