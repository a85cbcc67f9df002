"""Helpers of the maintenance tests: uploads through the real endpoint and engine, aged at will."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sluis.cli import main
from sluis.ingest.processing import upload_process
from sluis.uploads.models import Upload
from tests.uploads.conftest import moto_endpoint, s3_storage, storage_dir  # noqa: F401

GOOD_CSV = b"location,parameter,timestamp,value\nA,h,2024-01-01T00:00:00Z,1.5\n"
BAD_CSV = GOOD_CSV + b"A,h,not-a-time,2.5\n"


def cli(capsys, *argv):
    """Run ``sluis ARGV --json``; returns (exit status, parsed output or error)."""
    capsys.readouterr()  # what earlier steps logged
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    if out.out:
        return code, json.loads(out.out)
    return code, json.loads(out.err.strip().splitlines()[-1])  # the error, after any log lines


@pytest.fixture
def post(api, supplier):
    """POST a file to a data source's sync task; returns the new ``Upload``."""

    def send(created, content=GOOD_CSV, name="levels.csv", user=None) -> Upload:
        url = f"/api/v1/sync_tasks/{created.sync_task.pk}/upload/"
        data = {"upload_file": SimpleUploadedFile(name, content)}
        response = api.post(
            url, data, format="multipart", HTTP_AUTHORIZATION=_auth(user or supplier)
        )
        assert response.status_code == 201, response.content
        return Upload.objects.get(pk=response.json()["id"])

    return send


def _auth(user) -> str:
    return f"Token {user.token}"


@pytest.fixture
def processed(post, django_capture_on_commit_callbacks):
    """POST and process at once (as a worker would); returns the finished ``Upload``."""

    def run(created, content=GOOD_CSV, name="levels.csv") -> Upload:
        upload = post(created, content, name)
        with django_capture_on_commit_callbacks(execute=True):
            upload_process(upload_id=upload.pk)
        upload.refresh_from_db()
        return upload

    return run


def finished_days_ago(upload: Upload, days: float) -> Upload:
    Upload.objects.filter(pk=upload.pk).update(finished_at=timezone.now() - timedelta(days=days))
    upload.refresh_from_db()
    return upload
