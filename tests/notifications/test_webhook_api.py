"""/api/v1/webhooks/: registering, reading, changing and removing endpoints, and who may."""

import pytest

from sluis.notifications.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

HOOKS = "/api/v1/webhooks/"


def register(api, user, **body):
    api.credentials(HTTP_AUTHORIZATION=f"Token {user.token}")
    return api.post(HOOKS, body, format="json")


def test_it_shows_the_signing_secret_once_at_registration(api, supplier, receiver, local_webhooks):
    created = register(api, supplier, url=receiver.url(), description="nightly script")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["scope"] == "organization"
    assert body["organization"] == "Waterboard North"
    assert body["events"] == ["upload.succeeded", "upload.failed"]
    listed = api.get(HOOKS).json()["results"]
    assert [hook["id"] for hook in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in api.get(f"{HOOKS}{body['id']}/").json()


def test_a_supplier_registers_for_one_data_source_they_may_upload_to(
    api, supplier, make_source, receiver, local_webhooks
):
    source = make_source().data_source
    created = register(
        api, supplier, url=receiver.url(), data_source=source.pk, events=["upload.failed"]
    )
    assert created.status_code == 201
    assert created.json()["scope"] == "data_source"
    assert created.json()["data_source"] == source.pk
    assert created.json()["events"] == ["upload.failed"]


def test_an_outsider_cannot_register_for_another_organizations_data_source(
    api, outsider, make_source, receiver, local_webhooks
):
    source = make_source().data_source
    refused = register(api, outsider, url=receiver.url(), data_source=source.pk)
    assert refused.status_code == 403
    assert refused.json()["code"] == "webhook_scope_denied"
    assert not WebhookEndpoint.objects.exists()


def test_a_consumer_cannot_register_for_the_organization(api, consumer, receiver, local_webhooks):
    refused = register(api, consumer, url=receiver.url())
    assert refused.status_code == 403
    assert refused.json()["code"] == "webhook_scope_denied"


def test_anonymous_callers_are_refused(api):
    for response in (
        api.get(HOOKS),
        api.post(HOOKS, {"url": "https://a.example/"}, format="json"),
        api.get(f"{HOOKS}1/"),
        api.patch(f"{HOOKS}1/", {"is_active": False}, format="json"),
        api.delete(f"{HOOKS}1/"),
        api.get(f"{HOOKS}1/deliveries/"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("suffix", ["", "deliveries/"])
def test_an_id_beyond_64_bits_is_not_found_rather_than_a_server_error(api, supplier, suffix):
    api.credentials(HTTP_AUTHORIZATION=f"Token {supplier.token}")
    response = api.get(f"{HOOKS}99999999999999999999/{suffix}")
    assert response.status_code == 404
    assert response.json()["code"] == "webhook_not_found"


def test_unknown_events_are_refused_with_400(api, supplier, receiver, local_webhooks):
    refused = register(api, supplier, url=receiver.url(), events=["upload.reverted"])
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid"
    assert "events" in refused.json()["detail"]


def test_plain_http_is_refused_unless_an_operator_allows_it(api, supplier, settings):
    settings.SLUIS_WEBHOOK_ALLOW_HTTP = False
    refused = register(api, supplier, url="http://93.184.215.14/hook")
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "Only https:// URLs are accepted.",
        "code": "webhook_url_refused",
    }


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://10.1.2.3/hook",
        "https://localhost/hook",
    ],
)
def test_loopback_link_local_and_private_targets_are_refused_at_registration(api, supplier, url):
    refused = register(api, supplier, url=url)
    assert refused.status_code == 400
    assert refused.json()["code"] == "webhook_address_refused"
    assert not WebhookEndpoint.objects.exists()


def test_a_dns_name_resolving_to_a_private_address_is_refused_at_registration(
    api, supplier, dns_names
):
    dns_names.addresses["intranet.example.net"] = "10.20.30.40"
    refused = register(api, supplier, url="https://intranet.example.net/hook")
    assert refused.status_code == 400
    assert refused.json()["code"] == "webhook_address_refused"
    assert "10.20.30.40" in refused.json()["detail"]


def test_a_name_that_does_not_resolve_is_refused(api, supplier, dns_names):
    refused = register(api, supplier, url="https://nowhere.example.net/hook")
    assert refused.status_code == 400
    assert refused.json()["code"] == "webhook_url_refused"


def test_an_operator_setting_allows_a_private_network(api, supplier, settings, dns_names):
    dns_names.addresses["intranet.example.net"] = "10.20.30.40"
    settings.SLUIS_WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert register(api, supplier, url="https://intranet.example.net/hook").status_code == 201
    refused = register(api, supplier, url="https://169.254.169.254/")
    assert refused.json()["code"] == "webhook_address_refused"


def test_the_owner_changes_and_removes_an_endpoint(api, supplier, receiver, local_webhooks):
    hook = register(api, supplier, url=receiver.url()).json()
    changed = api.patch(f"{HOOKS}{hook['id']}/", {"events": ["upload.failed"]}, format="json")
    assert changed.status_code == 200
    assert changed.json()["events"] == ["upload.failed"]
    local_webhooks.SLUIS_WEBHOOK_ALLOWED_NETWORKS = []
    moved = api.patch(f"{HOOKS}{hook['id']}/", {"url": "https://127.0.0.2/"}, format="json")
    assert moved.json()["code"] == "webhook_address_refused"
    assert api.get(f"{HOOKS}{hook['id']}/").json()["url"] == receiver.url()
    assert api.delete(f"{HOOKS}{hook['id']}/").status_code == 204
    assert api.get(f"{HOOKS}{hook['id']}/").status_code == 404


def test_other_organizations_neither_see_nor_change_an_endpoint(
    api, supplier, outsider, receiver, local_webhooks
):
    hook = register(api, supplier, url=receiver.url()).json()
    api.credentials(HTTP_AUTHORIZATION=f"Token {outsider.token}")
    assert api.get(HOOKS).json()["results"] == []
    for response in (
        api.get(f"{HOOKS}{hook['id']}/"),
        api.get(f"{HOOKS}{hook['id']}/deliveries/"),
        api.patch(f"{HOOKS}{hook['id']}/", {"is_active": False}, format="json"),
        api.delete(f"{HOOKS}{hook['id']}/"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "webhook_not_found"
    assert WebhookEndpoint.objects.get().is_active
