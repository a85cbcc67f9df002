"""The processing log: started, succeeded, failed and recovered lines with the upload's ids,
counts, duration and failure code (in-process; tests/ops/test_logs_served.py checks a real
worker's output)."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from sluis.ingest.lifecycle import upload_claim
from sluis.ingest.processing import upload_process
from sluis.ingest.sweep import uploads_sweep
from sluis.uploads.models import Upload

pytestmark = pytest.mark.django_db


def events(caplog, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", "") == name]


def test_a_processed_upload_logs_started_and_succeeded_with_ids_counts_and_duration(
    test_source, store_upload, caplog
):
    source = test_source()
    upload = store_upload(source, b"put a=1\nput b=2\n")
    with caplog.at_level(logging.INFO, logger="sluis.ingest"):
        upload_process(upload_id=upload.pk)

    (started,) = events(caplog, "upload.processing_started")
    (succeeded,) = events(caplog, "upload.processing_succeeded")
    for record in (started, succeeded):
        assert (record.upload_id, record.data_source_id) == (upload.pk, source.data_source.pk)
        assert (record.kind, record.attempt) == ("sluis-test", 1)
    assert (succeeded.inserted, succeeded.updated, succeeded.rejected) == (2, 0, 0)
    assert succeeded.duration_ms >= 0 and succeeded.levelname == "INFO"


def test_a_failed_upload_logs_its_code_and_reason_as_a_warning(test_source, store_upload, caplog):
    source = test_source()
    upload = store_upload(source, b"bad x\nput a=1\n")
    with caplog.at_level(logging.INFO, logger="sluis.ingest"):
        upload_process(upload_id=upload.pk)

    (failed,) = events(caplog, "upload.processing_failed")
    upload.refresh_from_db()
    assert failed.levelname == "WARNING"
    assert (failed.upload_id, failed.code) == (upload.pk, "ingest_failed")
    assert failed.reason == upload.failure_reason and failed.error_count == 1


def test_a_rejected_file_logs_the_rejection_code(test_source, store_upload, caplog):
    source = test_source()
    upload = store_upload(source, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, filename="data.txt")
    with caplog.at_level(logging.INFO, logger="sluis.ingest"):
        upload_process(upload_id=upload.pk)

    (failed,) = events(caplog, "upload.processing_failed")
    assert failed.code not in ("", "ingest_failed") and failed.reason


def test_the_sweeper_logs_an_upload_it_recovers_from_a_lost_worker(
    test_source, store_upload, caplog
):
    source = test_source()
    upload = store_upload(source, b"put a=1\n")
    upload_claim(upload_id=upload.pk)
    Upload.objects.filter(pk=upload.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    with caplog.at_level(logging.INFO, logger="sluis.ingest"):
        uploads_sweep()

    (recovered,) = events(caplog, "upload.recovered")
    assert (recovered.upload_id, recovered.attempt, recovered.status) == (upload.pk, 1, "queued")
    assert recovered.by == "sweeper" and "lease expired" in recovered.reason
