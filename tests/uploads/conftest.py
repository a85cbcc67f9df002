"""Helpers for upload tests: an isolated storage folder per test and a multipart poster."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sluis.uploads.models import Upload

CSV = b"location,parameter,timestamp,value\nA,h,2024-01-01T00:00:00Z,1.5\n"


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path):
    """Every test gets its own local object storage, so 'nothing kept' can be asserted."""
    location = tmp_path / "objects"
    settings.STORAGES = {
        **settings.STORAGES,
        "sluis": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }
    return location


def stored_files(location: Path) -> list[Path]:
    """Every file under the storage folder, spool folder included."""
    return sorted(p for p in location.rglob("*") if p.is_file()) if location.exists() else []


@pytest.fixture
def source(make_source):
    return make_source(name="Levels", kind="timeseries")


def upload_url(task_id, token=None) -> str:
    url = f"/api/v1/sync_tasks/{task_id}/upload/"
    return f"{url}?token={token}" if token else url


def post_file(api, task_id, token, content=CSV, name="dataset.csv", field="upload_file", **extra):
    data = {field: SimpleUploadedFile(name, content, content_type="text/csv")}
    return api.post(upload_url(task_id, token), data, format="multipart", **extra)


def busy_upload(source, user) -> Upload:
    """A queued upload occupying the data source, as the processing engine would see it."""
    from django.utils import timezone

    return Upload.objects.create(
        uploader=user,
        sync_task=source.sync_task,
        data_source=source.data_source,
        original_filename="earlier.csv",
        filename="earlier.csv",
        size=1,
        received_at=timezone.now(),
    )


BOUNDARY = "sluis-test-boundary-7MA4YWxkTrZu0gW"


def multipart(*parts: tuple[str, bytes], boundary: str = BOUNDARY) -> bytes:
    """A multipart body built byte for byte: each part is (raw header lines, content)."""
    out = b""
    for headers, content in parts:
        out += f"--{boundary}\r\n".encode() + headers.encode() + b"\r\n\r\n" + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def file_part(filename: str, content: bytes = CSV, field: str = "upload_file"):
    quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
    return (f'Content-Disposition: form-data; name="{field}"; filename="{quoted}"', content)


def field_part(name: str, value: bytes):
    return (f'Content-Disposition: form-data; name="{name}"', value)


def post_raw(api, url, body: bytes, boundary: str = BOUNDARY, **extra):
    content_type = f"multipart/form-data; boundary={boundary}"
    return api.generic("POST", url, body, content_type=content_type, **extra)


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """One real ``sluis serve`` for the session (see tests/uploads/served.py)."""
    from tests.uploads.served import serve, stop

    instance, db_name = serve(tmp_path_factory.mktemp("served"))
    yield instance
    stop(instance, db_name)
