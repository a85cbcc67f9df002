"""Processing one upload: claim it, run the pipeline, record the outcome.

``upload_process`` is the body of the worker's task (``sluis.ingest.tasks.process_upload``).
A ``Rejected`` or ``IngestFailed`` fails the upload with its reason and problems; the soft time
limit fails it as ``time_limit_exceeded``; a database failure puts it back in the queue; a full
disk fails it with a readable reason (``insufficient_storage``).
"""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError, connection

from sluis.config.conditions import is_disk_full
from sluis.formats.errors import IngestFailed, Rejected
from sluis.formats.records import Problem, Report
from sluis.ingest.lifecycle import (
    TIME_LIMIT,
    time_limit_reason,
    upload_claim,
    upload_failure_record,
    upload_fields,
    upload_release,
    upload_succeed,
)
from sluis.ingest.pipeline import pipeline_run
from sluis.uploads.models import Upload, UploadStatus

logger = logging.getLogger(__name__)
DISK_FULL_REASON = (
    "The server ran out of disk space while processing this upload; nothing was written. "
    "Once space is freed an administrator can process it again (sluis upload requeue)."
)


def upload_process(*, upload_id: int) -> str:
    """Claim an upload, run the pipeline and record the outcome; returns the final status (or
    ``skipped`` when there was nothing to claim: a duplicate or late wake-up)."""
    upload = upload_claim(upload_id=upload_id)
    if upload is None:
        logger.info("upload %s: nothing to claim (a duplicate or late wake-up)", upload_id)
        return "skipped"
    logger.info(
        "upload %s: processing started (attempt %s)",
        upload.pk,
        upload.attempts,
        extra={"event": "upload.processing_started", **upload_fields(upload)},
    )
    report = Report()
    try:
        counts = pipeline_run(upload=upload, report=report)
    except Rejected as exc:
        problems = exc.problems()
        _fail(
            upload,
            exc.detail,
            problems + report.problems,
            report,
            code=exc.code,
            extra=len(problems),
        )
    except IngestFailed as exc:
        _fail(upload, exc.detail, report.problems, report, code=exc.code)
    except SoftTimeLimitExceeded:
        _fail(upload, time_limit_reason(), report.problems, report, code=TIME_LIMIT)
    except DatabaseError:
        _release_quietly(upload)
        raise
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        _fail(upload, DISK_FULL_REASON, report.problems, report, code="insufficient_storage")
    else:
        upload_succeed(upload=upload, counts=counts, report=report)
        return UploadStatus.SUCCEEDED
    return UploadStatus.FAILED


def _fail(
    upload: Upload,
    reason: str,
    problems: list[Problem],
    report: Report,
    *,
    code: str,
    extra: int = 0,
) -> None:
    upload_failure_record(
        upload_id=upload.pk,
        reason=reason,
        problems=problems,
        warnings=report.warnings,
        attempt=upload.attempts,
        code=code,
        problem_count=report.problem_count + extra,
    )


def _release_quietly(upload: Upload) -> None:
    """Outside a transaction Django keeps a connection the database cut (restart, failover)
    and would reuse it for the release: an unusable one is dropped first, so it reconnects."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()
    try:
        upload_release(upload_id=upload.pk, attempt=upload.attempts)
    except DatabaseError:
        logger.warning("upload %s stays claimed until its lease expires", upload.pk)
    else:
        logger.warning("upload %s: the database failed; queued again for a retry", upload.pk)
