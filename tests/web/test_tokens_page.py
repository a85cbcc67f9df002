"""The token page: a user creates (shown once) and revokes their own API tokens."""

import re

import pytest

from sluis.accounts.models import ApiToken


@pytest.fixture
def signed_in(client, supplier):
    client.force_login(supplier)
    return client


def created_secret(page: str) -> str:
    return re.search(
        r'id="new-token" class="secret" type="text" readonly value="([0-9a-f]+)"', page
    )[1]


def test_a_new_token_is_shown_once_and_works_on_the_api(signed_in, api):
    page = signed_in.post("/tokens/", {"name": "cron on pump-3"}).text
    secret = created_secret(page)
    assert "shown only this once" in page
    assert api.get("/api/v1/sync_tasks/", {"token": secret}).status_code == 200
    again = signed_in.get("/tokens/").text
    assert secret not in again and "cron on pump-3" in again and secret[:8] in again


def test_a_token_can_expire_after_some_days(signed_in, supplier):
    signed_in.post("/tokens/", {"name": "short", "expires_in_days": "7"})
    token = ApiToken.objects.get(user=supplier, name="short")
    assert 6 <= (token.expires_at - token.created).days <= 7


def test_an_impossible_expiry_is_explained(signed_in, supplier):
    response = signed_in.post("/tokens/", {"name": "x", "expires_in_days": "0"})
    assert response.status_code == 400
    assert 'role="alert"' in response.text and "greater than or equal to 1" in response.text
    assert not ApiToken.objects.filter(user=supplier, name="x").exists()


def test_a_revoked_token_no_longer_opens_the_api(signed_in, supplier, api):
    secret = created_secret(signed_in.post("/tokens/", {"name": "old"}).text)
    token = ApiToken.objects.get(user=supplier, name="old")
    response = signed_in.post(f"/tokens/{token.pk}/revoke/", follow=True)
    assert "is revoked" in response.text
    assert api.get("/api/v1/sync_tasks/", {"token": secret}).status_code == 403


def test_nobody_can_revoke_another_users_token(signed_in, outsider, api):
    theirs = ApiToken.objects.get(user=outsider)
    assert signed_in.post(f"/tokens/{theirs.pk}/revoke/").status_code == 404
    assert api.get("/api/v1/sync_tasks/", {"token": outsider.token}).status_code == 200


def test_revoking_needs_a_post(signed_in, supplier):
    token = ApiToken.objects.get(user=supplier)
    assert signed_in.get(f"/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.is_active
