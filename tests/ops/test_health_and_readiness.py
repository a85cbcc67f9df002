"""Liveness and readiness against the real services of this machine."""

import pytest

from tests.ops.conftest import REDIS_URL

pytestmark = pytest.mark.django_db


def test_health_answers_200_without_a_token_and_without_touching_dependencies(
    api, settings, closed_port
):
    settings.SLUIS_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    response = api.get("/api/v1/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_ignores_a_bad_token(api):
    assert api.get("/api/v1/health/?token=nonsense").status_code == 200


def test_ready_reports_every_check_when_embedded(api):
    response = api.get("/api/v1/ready/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "broker", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


def test_ready_reaches_a_real_redis_broker(api, settings):
    settings.SLUIS_BROKER_URL = REDIS_URL
    response = api.get("/api/v1/ready/")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["ok"] is True


def test_ready_reaches_a_real_rabbitmq_broker(api, settings):
    settings.SLUIS_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
    response = api.get("/api/v1/ready/")
    assert response.status_code == 200


def test_ready_is_503_naming_the_broker_when_redis_is_unreachable(api, settings, closed_port):
    settings.SLUIS_BROKER_URL = f"redis://127.0.0.1:{closed_port}/11"
    settings.SLUIS_READY_TIMEOUT = 1.0
    response = api.get("/api/v1/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "not_ready"
    assert body["failing"] == ["broker"]
    assert "broker" in body["detail"]
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert str(closed_port) not in response.content.decode()  # no addresses leak


def test_ready_reaches_s3_compatible_storage(api, s3_storage):
    response = api.get("/api/v1/ready/")
    assert response.status_code == 200
    assert response.json()["checks"]["storage"]["ok"] is True


def test_ready_is_503_naming_storage_when_the_bucket_is_missing(api, s3_storage):
    s3_storage.delete()
    response = api.get("/api/v1/ready/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


def test_ready_is_503_naming_storage_when_s3_is_unreachable(api, settings, closed_port):
    settings.SLUIS_READY_TIMEOUT = 1.0
    settings.STORAGES = {
        **settings.STORAGES,
        "sluis": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "sluis",
                "endpoint_url": f"http://127.0.0.1:{closed_port}",
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
            },
        },
    }
    response = api.get("/api/v1/ready/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]
