import socket

import pytest

from tests.uploads.conftest import moto_endpoint, s3_storage  # noqa: F401  (shared fixtures)

REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def local_dirs(settings, tmp_path):
    """Each test has its own objects and broker folders."""
    settings.SLUIS_BROKER_DIR = tmp_path / "broker"
    settings.STORAGES = {
        **settings.STORAGES,
        "sluis": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "objects"},
        },
    }
