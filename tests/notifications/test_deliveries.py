"""Delivering to a real receiver: Standard Webhooks signatures (verified with the reference
``standardwebhooks`` library), the payload, retries, the SSRF rules at send time, redirects,
timeouts and the size cap. The services run in this process; test_worker.py runs them in a
real Celery worker."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from sluis.notifications import services
from sluis.notifications.deliveries import deliveries_dispatch, delivery_attempt
from sluis.notifications.models import WebhookDelivery
from sluis.uploads.administration import upload_fail_by_administrator
from sluis.uploads.signals import upload_finished
from tests.ingest.workers import ROOT
from tests.notifications.conftest import Answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(supplier, receiver, local_webhooks):
    """An organization-wide endpoint of the supplier at the test's receiver."""
    return services.webhook_create(user=supplier, url=receiver.url())


def notify(upload) -> list[WebhookDelivery]:
    """What the worker does when an upload ends: prepare, then make the first attempts."""
    notified = services.upload_notify(upload_id=upload.pk)
    for delivery_id in notified.delivery_ids if notified else []:
        delivery_attempt(delivery_id=delivery_id, attempt=1)
    return list(WebhookDelivery.objects.order_by("pk"))


def test_the_receiver_verifies_the_signature_with_the_reference_library(
    hook, receiver, make_source, finished_upload
):
    upload = finished_upload(make_source())
    [delivery] = notify(upload)
    [request] = receiver.requests
    payload = Webhook(hook.secret).verify(request.body, request.headers)
    assert payload["type"] == "upload.succeeded"
    assert payload["data"]["id"] == upload.pk
    assert request.headers["webhook-id"] == delivery.message_id
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Host"] == f"127.0.0.1:{receiver.port}"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        "succeeded",
        1,
        200,
    )


def test_a_tampered_body_does_not_verify(hook, receiver, make_source, finished_upload):
    notify(finished_upload(make_source()))
    [request] = receiver.requests
    with pytest.raises(Exception, match="signature"):
        Webhook(hook.secret).verify(request.body.replace(b"succeeded", b"failed"), request.headers)


def test_the_payload_is_the_upload_record_as_the_api_returns_it(
    hook, receiver, make_source, finished_upload, supplier
):
    upload = finished_upload(make_source(), status="failed", failure_reason="Bad file.")
    notify(upload)
    payload = json.loads(receiver.requests[0].body)
    api = APIClient(SERVER_NAME="sluis.example.org")
    record = api.get(f"/api/v1/uploads/{upload.pk}/", {"token": supplier.token}).json()
    assert payload["type"] == "upload.failed"
    volatile = ("download_link", "download_link_expires")  # a fresh signed link each time
    assert {k: v for k, v in payload["data"].items() if k not in volatile} == {
        k: v for k, v in record.items() if k not in volatile
    }
    assert payload["data"]["status_url"] == f"http://sluis.example.org/api/v1/uploads/{upload.pk}/"


def test_it_retries_with_backoff_after_a_500_and_keeps_the_message_id(
    hook, receiver, make_source, finished_upload
):
    receiver.answer(Answer(500, b"database down"), Answer(503))
    [delivery] = notify(finished_upload(make_source()))
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.last_response_code == 500
    assert delivery.last_error == "HTTP 500: database down"
    assert delivery.next_attempt_at > delivery.last_attempt_at
    sent = []
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    deliveries_dispatch(send=lambda pk, attempt: sent.append((pk, attempt)))
    assert sent == [(delivery.pk, 2)]
    assert delivery_attempt(delivery_id=delivery.pk, attempt=2) == "pending"
    assert delivery_attempt(delivery_id=delivery.pk, attempt=2) == "skipped"  # a duplicate
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert delivery_attempt(delivery_id=delivery.pk, attempt=3) == "succeeded"
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and ids == {delivery.message_id}
    for request in receiver.requests:
        Webhook(hook.secret).verify(request.body, request.headers)


def test_the_backoff_doubles_and_gives_up_after_the_retry_window(
    hook, receiver, make_source, finished_upload, settings
):
    settings.SLUIS_WEBHOOK_RETRY_BASE = 10
    settings.SLUIS_WEBHOOK_RETRY_FOR = 25
    receiver.default = Answer(500)
    [delivery] = notify(finished_upload(make_source()))
    delays = []
    for attempt in (2, 3):
        delivery.refresh_from_db()
        delays.append(round((delivery.next_attempt_at - delivery.last_attempt_at).seconds))
        delivery_attempt(delivery_id=delivery.pk, attempt=attempt)
    delivery.refresh_from_db()
    assert delays == [10, 20]
    assert delivery.status == "failed"
    assert delivery.next_attempt_at is None


def test_redirects_are_not_followed(hook, receiver, make_source, finished_upload):
    receiver.answer(Answer(302, headers={"Location": "http://169.254.169.254/"}))
    [delivery] = notify(finished_upload(make_source()))
    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert delivery.last_response_code == 302
    assert delivery.last_error == "HTTP 302 (redirects are not followed)"


def test_a_slow_receiver_times_out(hook, receiver, make_source, finished_upload, settings):
    settings.SLUIS_WEBHOOK_READ_TIMEOUT = 0.5
    receiver.answer(Answer(200, delay=2))
    [delivery] = notify(finished_upload(make_source()))
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.last_error == "no answer within the read timeout"


def test_only_the_first_bytes_of_a_large_answer_are_read(
    hook, receiver, make_source, finished_upload, settings
):
    settings.SLUIS_WEBHOOK_MAX_RESPONSE_BYTES = 1000
    receiver.answer(Answer(400, b"x" * 5_000_000))
    [delivery] = notify(finished_upload(make_source()))
    delivery.refresh_from_db()
    assert delivery.last_response_code == 400
    assert delivery.last_error == "HTTP 400: " + "x" * 200


def test_a_private_address_is_refused_again_at_send_time(
    hook, receiver, make_source, finished_upload, settings
):
    settings.SLUIS_WEBHOOK_ALLOWED_NETWORKS = []  # the operator withdrew the exception
    [delivery] = notify(finished_upload(make_source()))
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == "pending"
    assert "127.0.0.1" in delivery.last_error and "public addresses" in delivery.last_error


def test_a_name_rebound_to_a_private_address_after_registration_is_refused(
    supplier, receiver, local_webhooks, dns_names, make_source, finished_upload
):
    local_webhooks.SLUIS_WEBHOOK_ALLOWED_NETWORKS = []
    dns_names.addresses["hooks.example.net"] = "93.184.215.14"
    url = f"http://hooks.example.net:{receiver.port}/hook"
    services.webhook_create(user=supplier, url=url)
    dns_names.addresses["hooks.example.net"] = "127.0.0.1"  # DNS rebinding
    [delivery] = notify(finished_upload(make_source()))
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert "hooks.example.net (127.0.0.1)" in delivery.last_error


def test_169_254_169_254_is_refused_at_send_time(
    supplier, receiver, local_webhooks, make_source, finished_upload
):
    local_webhooks.SLUIS_WEBHOOK_ALLOWED_NETWORKS = ["169.254.0.0/16"]
    endpoint = services.webhook_create(user=supplier, url="http://169.254.169.254/").endpoint
    local_webhooks.SLUIS_WEBHOOK_ALLOWED_NETWORKS = []
    [delivery] = notify(finished_upload(make_source()))
    delivery.refresh_from_db()
    assert delivery.endpoint == endpoint
    assert delivery.last_response_code is None
    assert "169.254.169.254 is a loopback, private, link-local" in delivery.last_error


def test_another_organizations_upload_is_never_delivered(
    hook, receiver, make_source, finished_upload, other_org, outsider
):
    theirs = make_source(name="Their levels", owner=other_org)
    notify(finished_upload(theirs, uploader=outsider))
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_granted_supplier_hears_only_of_their_own_uploads(
    receiver, local_webhooks, make_source, finished_upload, other_org, outsider, supplier
):
    theirs = make_source(name="Shared levels", owner=other_org)
    theirs.data_source.suppliers.add(supplier)
    services.webhook_create(user=supplier, url=receiver.url(), data_source_id=theirs.data_source.pk)
    notify(finished_upload(theirs, uploader=outsider))
    assert receiver.requests == []
    mine = finished_upload(theirs, uploader=supplier)
    notify(mine)
    assert [json.loads(r.body)["data"]["id"] for r in receiver.requests] == [mine.pk]


def test_an_endpoint_hears_only_the_events_it_subscribed_to(
    supplier, receiver, local_webhooks, make_source, finished_upload
):
    services.webhook_create(user=supplier, url=receiver.url(), events=["upload.failed"])
    notify(finished_upload(make_source()))
    assert receiver.requests == []
    notify(finished_upload(make_source(name="Other"), status="failed"))
    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["upload.failed"]


def test_the_same_end_is_announced_once(hook, receiver, make_source, finished_upload):
    upload = finished_upload(make_source())
    notify(upload)
    assert services.upload_notify(upload_id=upload.pk) is None
    assert len(receiver.requests) == 1


def test_an_end_whose_wake_up_was_lost_is_found_by_the_catch_up(hook, make_source, finished_upload):
    upload = finished_upload(make_source())
    type(upload).objects.filter(pk=upload.pk).update(
        finished_at=timezone.now() - timedelta(minutes=5)
    )
    assert services.uploads_unnotified(window_seconds=3600, grace_seconds=60) == [upload.pk]
    services.upload_notify(upload_id=upload.pk)
    assert services.uploads_unnotified(window_seconds=3600, grace_seconds=60) == []


def test_the_owner_reads_the_delivery_log(
    api, hook, receiver, make_source, finished_upload, supplier
):
    receiver.answer(Answer(500))
    upload = finished_upload(make_source())
    notify(upload)
    api.credentials(HTTP_AUTHORIZATION=f"Token {supplier.token}")
    [entry] = api.get(f"/api/v1/webhooks/{hook.endpoint.pk}/deliveries/").json()["results"]
    assert entry["event"] == "upload.succeeded"
    assert entry["upload"] == upload.pk
    assert entry["status"] == "pending"
    assert entry["attempts"] == 1
    assert entry["last_response_code"] == 500
    assert entry["next_attempt_at"] is not None


def test_the_verification_snippet_in_the_api_docs_accepts_a_delivery_and_rejects_a_forgery(
    hook, receiver, make_source, finished_upload
):
    text = (ROOT / "docs" / "api.md").read_text()
    section = text.split("### Verifying a delivery", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(snippet, "docs/api.md", "exec"), namespace)
    upload = finished_upload(make_source())
    notify(upload)
    [request] = receiver.requests
    event = namespace["sluis_event"](request.body, request.headers, hook.secret)
    assert event["type"] == "upload.succeeded" and event["data"]["id"] == upload.pk
    forged = request.body.replace(b"succeeded", b"failed")
    assert namespace["sluis_event"](forged, request.headers, hook.secret) is None


def test_an_administrator_failing_a_stuck_upload_announces_upload_failed(
    hook, receiver, make_source, finished_upload, django_capture_on_commit_callbacks
):
    stuck = finished_upload(make_source(), status="processing")
    heard = []

    def hear(sender, upload_id, **kwargs):
        heard.append(upload_id)

    upload_finished.connect(hear, dispatch_uid="test-administrator-fail")
    try:
        with django_capture_on_commit_callbacks() as wake_ups:
            upload_fail_by_administrator(upload_id=stuck.pk, reason="Stuck for a day.")
    finally:
        upload_finished.disconnect(dispatch_uid="test-administrator-fail")
    assert heard == [stuck.pk]
    assert wake_ups  # the notifications worker is woken once the transaction commits
    [delivery] = notify(stuck)
    payload = Webhook(hook.secret).verify(receiver.requests[0].body, receiver.requests[0].headers)
    assert (payload["type"], payload["data"]["failure_reason"]) == (
        "upload.failed",
        "Stuck for a day.",
    )
    assert delivery.event == "upload.failed"
