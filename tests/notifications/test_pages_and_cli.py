"""The webhook web page and the ``sluis webhook`` command."""

import json
import re

import pytest

from sluis.cli import main
from sluis.notifications.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, supplier):
    client.force_login(supplier)
    return client


def test_a_supplier_adds_a_webhook_on_the_page_and_sees_its_secret_once(
    signed_in, make_source, receiver, local_webhooks
):
    source = make_source().data_source
    page = signed_in.post(
        "/webhooks/",
        {"url": receiver.url(), "scope": source.pk, "events": ["upload.failed"]},
    ).text
    secret = re.search(r'id="new-secret" class="secret" type="text" readonly value="([^"]+)"', page)
    assert secret and secret[1] == WebhookEndpoint.objects.get().secret
    assert "shown only this once" in page
    again = signed_in.get("/webhooks/").text
    assert secret[1] not in again
    assert receiver.url() in again and "For Levels" in again


def test_the_page_shows_why_a_url_is_refused(signed_in, make_source):
    make_source()
    response = signed_in.post(
        "/webhooks/", {"url": "https://169.254.169.254/", "scope": 0, "events": ["upload.failed"]}
    )
    assert response.status_code == 400
    assert "link-local" in response.text
    assert not WebhookEndpoint.objects.exists()


def test_the_owner_disables_enables_and_removes_a_webhook_on_the_page(
    signed_in, supplier, receiver, local_webhooks, outsider, client
):
    assert main(["webhook", "create", "--user", "supplier", "--url", receiver.url()]) == 0
    endpoint = WebhookEndpoint.objects.get()
    signed_in.post(f"/webhooks/{endpoint.pk}/disable/")
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    signed_in.post(f"/webhooks/{endpoint.pk}/enable/")
    endpoint.refresh_from_db()
    assert endpoint.is_active
    client.force_login(outsider)
    assert client.post(f"/webhooks/{endpoint.pk}/delete/").status_code == 404
    client.force_login(supplier)
    client.post(f"/webhooks/{endpoint.pk}/delete/")
    assert not WebhookEndpoint.objects.exists()


def test_a_webhook_id_beyond_64_bits_is_a_not_found_page(signed_in):
    assert signed_in.post("/webhooks/99999999999999999999/disable/").status_code == 404


def test_the_command_registers_lists_and_shows_deliveries(
    supplier, receiver, local_webhooks, capsys
):
    url = receiver.url()
    assert main(["webhook", "create", "--user", "supplier", "--url", url, "--json"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["secret"].startswith("whsec_") and created["scope"] == "organization"
    assert main(["webhook", "list", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)["webhooks"]
    assert row["url"] == url and "secret" not in row
    assert main(["webhook", "deliveries", str(created["id"]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"deliveries": []}
    assert main(["webhook", "create", "--user", "supplier", "--url", "https://10.0.0.1/"]) == 2
    assert "public addresses" in capsys.readouterr().err
