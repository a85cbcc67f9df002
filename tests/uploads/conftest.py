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


def busy_upload(source, user, *, stored: bool = True) -> Upload:
    """A queued upload occupying the data source, as the processing engine would see it."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from sluis.uploads.naming import storage_key_generate
    from sluis.uploads.storage import object_storage

    key = storage_key_generate(data_source_id=source.data_source.pk)
    if stored:
        object_storage().save(key, ContentFile(b"1"))
    return Upload.objects.create(
        storage_key=key,
        uploader=user,
        sync_task=source.sync_task,
        data_source=source.data_source,
        original_filename="earlier.csv",
        filename="earlier.csv",
        size=1,
        received_at=timezone.now(),
    )


BOUNDARY = "sluis-test-boundary-7MA4YWxkTrZu0gW"


def csv_bytes(size: int) -> bytes:
    """A valid long-format timeseries CSV of exactly ``size`` bytes, for transport tests."""
    out, minute = bytearray(b"location,parameter,timestamp,value\n"), 0
    while len(out) < size - 80:
        out += f"LOC{minute % 97},h,2024-01-01T00:00:00Z,{minute * 0.25}\n".encode()
        minute += 1
    last = b"LOCZ,h,2030-01-01T00:00:00Z,1."
    out += last + b"0" * (size - len(out) - len(last) - 1) + b"\n"
    assert len(out) == size
    return bytes(out)


def text_bytes(size: int) -> bytes:
    """Plain UTF-8 text with CRLFs and non-ASCII letters, exactly ``size`` bytes."""
    line = "Peilbuis Zuid-Oost: waterstand gemeten, kwaliteit goed (é, ü, ø)\r\n".encode()
    return (line * (size // len(line) + 1))[:size]


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


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    """A real S3-compatible server (moto_server) on a free loopback port for the session."""
    from tests.uploads.served import moto_start

    url, process = moto_start(tmp_path_factory.mktemp("moto"))
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def s3_storage(settings, moto_endpoint, tmp_path):
    """Switch ``storages["sluis"]`` to a fresh bucket on moto_server; returns a boto3 bucket."""
    import uuid

    import boto3

    bucket_name = f"sluis-{uuid.uuid4().hex[:12]}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    s3 = boto3.resource("s3", endpoint_url=moto_endpoint, region_name="us-east-1", **credentials)
    bucket = s3.create_bucket(Bucket=bucket_name)
    settings.SLUIS_UPLOAD_SPOOL_DIR = str(tmp_path / "spool")
    settings.STORAGES = {
        **settings.STORAGES,
        "sluis": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket_name,
                "endpoint_url": moto_endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "signature_version": "s3v4",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": True,
            },
        },
    }
    return bucket
