"""The whole path with real processes: an upload through the API, a ``sluis worker`` on a private
Redis processing it, the worker announcing the end to a receiver in this test (signatures
verified with ``standardwebhooks``) and mailing a failure to an aiosmtpd server."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from standardwebhooks.webhooks import Webhook

from sluis.notifications import services
from sluis.notifications.models import WebhookDelivery
from sluis.uploads.models import Upload
from tests.ingest.workers import RedisServer, Worker, wait_for, worker_env
from tests.notifications.conftest import Answer, Receiver

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

GOOD = b"location,parameter,timestamp,value,unit\nLOC001,waterlevel,2024-01-01T00:00:00Z,1.25,m\n"
BAD = b"location,parameter,timestamp,value,unit\nLOC001,waterlevel,yesterday,1.25,m\n"


@pytest.fixture
def engine(settings, tmp_path, mail_server, local_webhooks):
    """A private Redis and one worker consuming the processing and notification queues."""
    redis = RedisServer(tmp_path).start()
    queue = f"sluis-test-{uuid.uuid4().hex[:12]}"
    settings.SLUIS_BROKER_URL = redis.url
    settings.SLUIS_QUEUE = queue
    settings.SLUIS_NOTIFY_QUEUE = f"{queue}.notify"
    env = worker_env(
        redis.url,
        queue,
        SLUIS_NOTIFY_QUEUE=f"{queue}.notify",
        SLUIS_WEBHOOK_ALLOW_HTTP="true",
        SLUIS_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        SLUIS_WEBHOOK_RETRY_BASE="0.3",
        SLUIS_WEBHOOK_POLL_INTERVAL="0.2",
        SLUIS_EMAIL_URL=mail_server.url,
        SLUIS_PUBLIC_URL="http://sluis.example.org",
    )
    worker = Worker(env, tmp_path / "worker.log", concurrency=2).wait_ready()
    yield worker
    worker.stop()
    print(worker.log.read_text(errors="replace"))  # shown when the test failed
    redis.stop()


def upload(api, user, task_id: int, content: bytes) -> Upload:
    api.credentials(HTTP_AUTHORIZATION=f"Token {user.token}")
    response = api.post(
        f"/api/v1/sync_tasks/{task_id}/upload/",
        {"upload_file": SimpleUploadedFile("levels.csv", content, content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    return Upload.objects.get(pk=response.json()["id"])


def delivered(receiver: Receiver, count: int) -> list:
    wait_for(lambda: len(receiver.requests) >= count, 60, f"{count} webhook requests")
    return receiver.requests


def test_a_worker_announces_ends_with_signed_retried_webhooks_and_mails_a_failure(
    engine, api, supplier, outsider, other_org, make_source, receiver, mail_server
):
    supplier.email = "supplier@waterboard.example"
    supplier.save()
    mine = services.webhook_create(user=supplier, url=receiver.url())
    theirs_receiver = Receiver()
    services.webhook_create(user=outsider, url=theirs_receiver.url())
    make_source(name="Their levels", owner=other_org)
    source = make_source()
    receiver.answer(Answer(500, b"try later"))

    good = upload(api, supplier, source.sync_task.pk, GOOD)
    first, retry = delivered(receiver, 2)
    assert first.headers["webhook-id"] == retry.headers["webhook-id"]
    payload = Webhook(mine.secret).verify(retry.body, retry.headers)
    assert payload["type"] == "upload.succeeded"
    assert payload["data"]["id"] == good.pk
    assert payload["data"]["status"] == "succeeded"
    assert payload["data"]["counts"]["inserted"] == 1

    bad = upload(api, supplier, source.sync_task.pk, BAD)
    failed = delivered(receiver, 3)[2]
    payload = Webhook(mine.secret).verify(failed.body, failed.headers)
    assert (payload["type"], payload["data"]["id"]) == ("upload.failed", bad.pk)
    assert payload["data"]["errors"]

    wait_for(lambda: mail_server.messages, 30, "the failure mail")
    [message] = mail_server.messages
    assert message["To"] == "supplier@waterboard.example"
    assert message["Subject"] == "Upload failed: levels.csv to Levels"
    text = message.get_content()
    bad.refresh_from_db()
    assert bad.failure_reason in text
    assert "line 2" in text
    assert f"http://sluis.example.org/api/v1/uploads/{bad.pk}/" in text
    assert "http://sluis.example.org/api/v1/download/" in text  # the full error report

    log = WebhookDelivery.objects.order_by("pk")
    assert [(d.event, d.status, d.attempts) for d in log] == [
        ("upload.succeeded", "succeeded", 2),
        ("upload.failed", "succeeded", 1),
    ]
    assert theirs_receiver.requests == []  # never another organization's upload
    theirs_receiver.stop()
    assert json.loads(failed.body)["data"]["uploader"] == "Supplier"
