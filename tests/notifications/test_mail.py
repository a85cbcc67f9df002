"""E-mail through a real SMTP server (aiosmtpd): failed uploads, disabled webhooks and the
daily summary (``sluis mail``)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from sluis.cli import main
from sluis.notifications import services
from sluis.notifications.deliveries import delivery_attempt
from sluis.notifications.mail import upload_failure_mail_send
from sluis.notifications.models import SourceMailing, WebhookEndpoint
from tests.notifications.conftest import Answer

pytestmark = pytest.mark.django_db

PROBLEMS = [
    {
        "message": "not a timestamp",
        "file": "levels.csv",
        "line": 7,
        "field": "timestamp",
        "value": "yesterday",
    },
    {"message": "missing value", "file": "levels.csv", "line": 9},
]


@pytest.fixture
def addressed(supplier):
    supplier.email = "supplier@waterboard.example"
    supplier.save()
    return supplier


def test_the_uploader_and_the_sources_addresses_get_the_problems_and_the_report_link(
    mail_server, addressed, make_source, finished_upload, local_webhooks
):
    created = make_source()
    SourceMailing.objects.create(
        data_source=created.data_source, failure_recipients=["data-team@waterboard.example"]
    )
    upload = finished_upload(
        created,
        status="failed",
        failure_reason="2 rows could not be read; nothing was stored.",
        errors=PROBLEMS,
        error_count=2,
        error_report_key="reports/errors.csv",
    )
    assert upload_failure_mail_send(upload_id=upload.pk) == 1
    [message] = mail_server.messages
    assert message["X-Envelope-To"] == "supplier@waterboard.example, data-team@waterboard.example"
    assert message["Subject"] == "Upload failed: levels.csv to Levels"
    text = message.get_content()
    assert "2 rows could not be read; nothing was stored." in text
    assert "- levels.csv, line 7, field timestamp: not a timestamp (value: yesterday)" in text
    assert "- levels.csv, line 9: missing value" in text
    assert "http://sluis.example.org/api/v1/download/" in text
    assert f"http://sluis.example.org/api/v1/uploads/{upload.pk}/" in text
    assert f"http://sluis.example.org/sources/{created.sync_task.pk}/history/" in text


def test_no_mail_for_a_success_or_without_an_address(
    mail_server, supplier, make_source, finished_upload
):
    created = make_source()
    assert upload_failure_mail_send(upload_id=finished_upload(created).pk) == 0
    failed = finished_upload(make_source(name="B"), status="failed", failure_reason="x")
    assert upload_failure_mail_send(upload_id=failed.pk) == 0
    assert mail_server.messages == []


def test_an_endpoint_that_keeps_failing_is_disabled_and_its_owner_told(
    mail_server, addressed, receiver, local_webhooks, make_source, finished_upload
):
    local_webhooks.SLUIS_WEBHOOK_DISABLE_AFTER = 60
    receiver.default = Answer(500)
    issued = services.webhook_create(user=addressed, url=receiver.url())
    first = finished_upload(make_source())
    notified = services.upload_notify(upload_id=first.pk)
    delivery_attempt(delivery_id=notified.delivery_ids[0], attempt=1)
    assert WebhookEndpoint.objects.get().is_active  # failing, not yet for long
    WebhookEndpoint.objects.update(failing_since=timezone.now() - timedelta(minutes=2))
    second = finished_upload(make_source(name="Other"))
    notified = services.upload_notify(upload_id=second.pk)
    delivery_attempt(delivery_id=notified.delivery_ids[0], attempt=1)

    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.is_active
    assert "the last error: HTTP 500" in endpoint.disabled_reason
    assert list(endpoint.deliveries.values_list("status", flat=True)) == ["failed", "failed"]
    [message] = mail_server.messages
    assert message["To"] == "supplier@waterboard.example"
    assert message["Subject"] == f"Webhook disabled: {receiver.url()}"
    assert f"/api/v1/webhooks/{issued.endpoint.pk}/" in message.get_content()
    third = finished_upload(make_source(name="Third"))
    assert services.upload_notify(upload_id=third.pk).delivery_ids == []  # no longer sent


def test_enabling_a_disabled_endpoint_forgets_its_failures(
    api, addressed, receiver, local_webhooks
):
    endpoint = services.webhook_create(user=addressed, url=receiver.url()).endpoint
    services.webhook_disable(endpoint=endpoint, reason="Every delivery failed.")
    api.credentials(HTTP_AUTHORIZATION=f"Token {addressed.token}")
    body = api.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"is_active": True}, format="json").json()
    assert (body["is_active"], body["disabled_at"], body["disabled_reason"]) == (True, None, "")


def test_the_daily_summary_goes_to_subscribed_organizations_once_per_day(
    mail_server, addressed, make_source, finished_upload, other_org, capsys, settings
):
    settings.SLUIS_PUBLIC_URL = "http://sluis.example.org"
    created = make_source()
    finished_upload(created)
    failed = finished_upload(created, status="failed", failure_reason="Bad header.")
    day = timezone.now().date()
    assert main(["mail", "subscribe", "Waterboard North", "--json"]) == 0
    capsys.readouterr()

    assert main(["mail", "summary", "--day", day.isoformat(), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == {"day": day.isoformat(), "sent": ["Waterboard North"], "skipped": []}
    [message] = mail_server.messages
    assert message["To"] == "supplier@waterboard.example"
    assert message["Subject"] == f"Sluis daily summary for Waterboard North, {day.isoformat()}"
    text = message.get_content().replace("\r\n", "\n")
    assert "Succeeded: 1\nFailed:    1" in text
    assert "- Levels: 1 succeeded, 1 failed" in text
    assert f"Bad header.\n  http://sluis.example.org/api/v1/uploads/{failed.pk}/" in text

    assert main(["mail", "summary", "--day", day.isoformat(), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped"] == ["Waterboard North"]
    assert len(mail_server.messages) == 1


def test_the_summary_command_refuses_a_bad_day(capsys, db):
    assert main(["mail", "summary", "--day", "05-12-2026"]) == 2
    assert "--day must be YYYY-MM-DD" in capsys.readouterr().err
