"""Processing state transitions. The database is the source of truth; the broker only wakes.

An upload moves ``queued`` → ``processing`` (claimed: attempt + 1, a lease) → ``succeeded`` or
``failed``. Every transition is one conditional ``UPDATE`` so that duplicate deliveries, racing
sweepers and a stale worker whose lease was taken over can never overwrite a newer state: a
second delivery of the same wake-up finds nothing to claim and does nothing. The data source is
released by leaving ``queued``/``processing`` (the partial unique constraint on ``Upload``).
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sluis.catalog.models import SyncStatus
from sluis.catalog.services import sync_tasks_state_set
from sluis.formats.errors import IngestFailed
from sluis.formats.records import MAX_REPORTED_ERRORS, Counts, Problem, Report
from sluis.ingest.owners import process_owner
from sluis.ingest.reports import report_delete, report_store
from sluis.text import text_shown, text_storable
from sluis.uploads.models import Upload, UploadStatus
from sluis.uploads.signals import upload_finished

logger = logging.getLogger(__name__)
TIME_LIMIT = "time_limit_exceeded"  # the failure code of an attempt stopped by the time limit


def lease_seconds() -> int:
    """A lease outlives the hard time limit: once it expires, the attempt is certainly over."""
    return settings.SLUIS_TASK_TIME_LIMIT + settings.SLUIS_LEASE_MARGIN


def upload_claim(*, upload_id: int) -> Upload | None:
    """``queued`` → ``processing`` with attempt + 1 and a lease; ``None`` if not claimable.

    An upload that already used ``SLUIS_MAX_ATTEMPTS`` attempts fails instead.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = Upload.objects.filter(
            pk=upload_id, status=UploadStatus.QUEUED, attempts__lt=settings.SLUIS_MAX_ATTEMPTS
        ).update(
            status=UploadStatus.PROCESSING,
            attempts=F("attempts") + 1,
            started_at=now,
            finished_at=None,
            lease_expires_at=now + timedelta(seconds=lease_seconds()),
            claimed_by=process_owner(),
        )
        upload = (
            Upload.objects.select_related("data_source", "reprocess_of")
            .filter(pk=upload_id)
            .first()
        )
        if upload is None:
            return None
        if claimed:
            _sync_tasks_set(upload, SyncStatus.HARVESTING)
            return upload
    if upload.status == UploadStatus.QUEUED:
        _give_up(upload, "its worker stopped each time")
    return None


def upload_succeed(*, upload: Upload, counts: Counts, report: Report) -> bool:
    """Record success with counts, warnings and (``skip_invalid_rows``) the skipped problems."""
    fields = {
        "status": UploadStatus.SUCCEEDED,
        "inserted": counts.inserted,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "deleted": counts.deleted,
        "rejected": max(counts.rejected, report.rejected),
        "warnings": [_shown(w) for w in report.warnings[:MAX_REPORTED_ERRORS]],
        "failure_reason": "",
        **_problem_fields(upload.pk, report.problems, report.problem_count),
    }
    return _finish(upload.pk, fields, SyncStatus.SUCCESSFUL, attempt=upload.attempts)


def upload_failure_record(
    *,
    upload_id: int,
    reason: str,
    problems: list[Problem] | None = None,
    warnings: list[str] | None = None,
    attempt: int | None = None,
    statuses: tuple[str, ...] = (UploadStatus.PROCESSING,),
    code: str = IngestFailed.code,
    problem_count: int | None = None,
) -> bool:
    """Record failure with a readable reason and every problem; nothing was written. ``code``
    names the cause in the log line (``processing_failed``); ``problem_count`` is every problem
    found when ``problems`` holds only those kept (``Report.problem_count``)."""
    fields = {
        "status": UploadStatus.FAILED,
        "failure_reason": _shown(reason),
        "warnings": [_shown(w) for w in (warnings or [])[:MAX_REPORTED_ERRORS]],
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "rejected": 0,
        **_problem_fields(upload_id, problems or [], problem_count),
    }
    return _finish(
        upload_id, fields, SyncStatus.FAILED, attempt=attempt, statuses=statuses, code=code
    )


def upload_release(*, upload_id: int, attempt: int) -> bool:
    """Put a claimed upload back to ``queued`` (the database failed under it); due at once."""
    return bool(
        Upload.objects.filter(
            pk=upload_id, status=UploadStatus.PROCESSING, attempts=attempt
        ).update(status=UploadStatus.QUEUED, lease_expires_at=timezone.now())
    )


def upload_attempt_lost(*, upload_id: int, reason: str, by: str = "sweeper") -> str | None:
    """The process running an attempt died or its lease expired: queue it again, or fail it
    once ``SLUIS_MAX_ATTEMPTS`` attempts were used. Returns the new status, or ``None``.
    ``by`` (``sweeper`` or ``worker``) says who noticed, for the log line."""
    upload = Upload.objects.filter(pk=upload_id, status=UploadStatus.PROCESSING).first()
    if upload is None:
        return None
    if upload.attempts >= settings.SLUIS_MAX_ATTEMPTS:
        done = _give_up(upload, reason, statuses=(UploadStatus.PROCESSING,))
        status = UploadStatus.FAILED if done else None
    else:
        requeued = Upload.objects.filter(
            pk=upload_id, status=UploadStatus.PROCESSING, attempts=upload.attempts
        ).update(status=UploadStatus.QUEUED, lease_expires_at=timezone.now())
        status = UploadStatus.QUEUED if requeued else None
    if status is not None:
        _log_recovered(upload, status=status, reason=reason, by=by)
    return status


def _log_recovered(upload: Upload, *, status: str, reason: str, by: str) -> None:
    logger.warning(
        "upload %s: attempt %s was lost (%s); now %s",
        upload.pk,
        upload.attempts,
        reason,
        status,
        extra={
            "event": "upload.recovered",
            "upload_id": upload.pk,
            "data_source_id": upload.data_source_id,
            "attempt": upload.attempts,
            "status": status,
            "reason": reason,
            "by": by,
        },
    )


def upload_fail_unexpectedly(*, upload_id: int, error: BaseException) -> bool:
    """The shared task base's last resort: an exception no service expected."""
    if isinstance(error, TimeoutError) or type(error).__name__ == "TimeLimitExceeded":
        reason, code = time_limit_reason(), TIME_LIMIT
    else:
        reason = (
            f"Processing stopped on an unexpected error ({type(error).__name__}); "
            "the administrators can see the details in the worker log."
        )
        code = "unexpected_error"
    return upload_failure_record(upload_id=upload_id, reason=reason, code=code)


def time_limit_reason() -> str:
    return (
        f"Processing took longer than the time limit of {settings.SLUIS_TASK_TIME_LIMIT} s "
        "and was stopped; nothing was written."
    )


def _give_up(upload: Upload, what: str, statuses=(UploadStatus.QUEUED,)) -> bool:
    return upload_failure_record(
        code="attempts_exhausted",
        upload_id=upload.pk,
        reason=(
            f"Processing was interrupted {upload.attempts} times ({what}); gave up after "
            f"{settings.SLUIS_MAX_ATTEMPTS} attempts. Nothing was written."
        ),
        statuses=statuses,
    )


def _finish(
    upload_id: int,
    fields: dict,
    sync_status: str,
    *,
    attempt: int | None,
    statuses: tuple[str, ...] = (UploadStatus.PROCESSING,),
    code: str = "",
) -> bool:
    now = timezone.now()
    with transaction.atomic():
        rows = Upload.objects.filter(pk=upload_id, status__in=statuses)
        if attempt is not None:
            rows = rows.filter(attempts=attempt)
        if not rows.update(finished_at=now, lease_expires_at=None, **fields):
            return False
        upload = Upload.objects.select_related("data_source").get(pk=upload_id)
        _sync_tasks_set(upload, sync_status, finished_at=now)
        upload_finished.send(sender=Upload, upload_id=upload_id)
    _log_finished(upload, code=code)
    return True


def _log_finished(upload: Upload, *, code: str) -> None:
    """``upload.processing_succeeded`` or ``upload.processing_failed``, from the stored row."""
    fields = {
        "event": f"upload.processing_{upload.status}",
        **upload_fields(upload),
        "duration_ms": _duration_ms(upload),
        "inserted": upload.inserted,
        "updated": upload.updated,
        "unchanged": upload.unchanged,
        "deleted": upload.deleted,
        "rejected": upload.rejected,
        "error_count": upload.error_count,
    }
    if upload.status == UploadStatus.SUCCEEDED:
        message = "upload %s: succeeded in %s ms (inserted %s, updated %s, rejected %s)"
        counts = (upload.inserted, upload.updated, upload.rejected)
        logger.info(message, upload.pk, fields["duration_ms"], *counts, extra=fields)
    else:
        fields.update(code=code, reason=upload.failure_reason)
        message = "upload %s: failed after %s ms (%s): %s"
        reason = (code, upload.failure_reason)
        logger.warning(message, upload.pk, fields["duration_ms"], *reason, extra=fields)


def upload_fields(upload: Upload) -> dict:
    return {
        "upload_id": upload.pk,
        "data_source_id": upload.data_source_id,
        "kind": upload.data_source.kind,
        "attempt": upload.attempts,
    }


def _duration_ms(upload: Upload) -> int | None:
    if upload.started_at is None or upload.finished_at is None:
        return None
    return round((upload.finished_at - upload.started_at).total_seconds() * 1000)


def _sync_tasks_set(upload: Upload, sync_status: str, *, finished_at=None) -> None:
    sync_tasks_state_set(
        data_source_id=upload.data_source_id,
        sync_task_id=upload.sync_task_id,
        sync_status=sync_status,
        finished_at=finished_at,
    )


def _shown(text: str) -> str:
    """Storable text without the server's own folders (``sluis.text.text_shown``): every
    reason, warning and problem message a supplier reads goes through here."""
    folders = (settings.SLUIS_WORK_DIR, str(settings.DATA_DIR), tempfile.gettempdir())
    return text_shown(text_storable(text), folders)


def _storable_problem(problem: Problem) -> Problem:
    return Problem(
        message=_shown(problem.message),
        file=text_storable(problem.file),
        line=problem.line,
        feature=None if problem.feature is None else text_storable(str(problem.feature)),
        field=text_storable(problem.field),
        value=text_storable(str(problem.value)),
    )


def _problem_fields(upload_id: int, problems: list[Problem], count: int | None = None) -> dict:
    """The first ``MAX_REPORTED_ERRORS`` problems on the row, all kept ones in the CSV report,
    and ``error_count`` for every problem found (``count``, at least the ones kept)."""
    problems = [_storable_problem(p) for p in problems]
    if not problems:
        report_delete(upload_id=upload_id)
        return {"errors": [], "error_count": 0, "error_report_key": ""}
    return {
        "errors": [p.as_dict() for p in problems[:MAX_REPORTED_ERRORS]],
        "error_count": max(count or 0, len(problems)),
        "error_report_key": report_store(upload_id=upload_id, problems=problems),
    }
