import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from sluis.accounts.models import ApiToken
from sluis.accounts.services import token_create, token_revoke

LIST = "/api/v1/sync_tasks/"


@pytest.fixture
def private_task(make_source):
    return make_source(name="Private levels", private=True).sync_task


def visible_ids(response):
    assert response.status_code == 200, response.content
    return [task["id"] for task in response.json()["results"]]


@pytest.mark.parametrize("how", ["query", "token_header", "bearer_header"])
def test_every_token_form_authenticates(api, supplier, private_task, how):
    if how == "query":
        response = api.get(LIST, {"token": supplier.token})
    else:
        scheme = "Token" if how == "token_header" else "Bearer"
        response = api.get(LIST, HTTP_AUTHORIZATION=f"{scheme} {supplier.token}")
    assert visible_ids(response) == [private_task.pk]


def test_unknown_token_is_403_with_json(api, private_task):
    response = api.get(LIST, {"token": "0" * 40})
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_token"


def test_revoked_token_is_refused(api, supplier, private_task):
    token_revoke(token=ApiToken.objects.get(user=supplier))
    assert api.get(LIST, {"token": supplier.token}).status_code == 403


def test_expired_token_is_refused(api, supplier, private_task):
    expired = token_create(user=supplier, expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get(LIST, {"token": expired.secret}).status_code == 403


def test_token_of_inactive_user_is_refused(api, supplier, private_task):
    supplier.is_active = False
    supplier.save()
    assert api.get(LIST, {"token": supplier.token}).status_code == 403


def test_two_different_tokens_are_400(api, supplier, consumer):
    response = api.get(
        LIST, {"token": supplier.token}, HTTP_AUTHORIZATION=f"Token {consumer.token}"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "ambiguous_token"


def test_the_same_token_twice_is_fine(api, supplier):
    response = api.get(
        LIST, {"token": supplier.token}, HTTP_AUTHORIZATION=f"Token {supplier.token}"
    )
    assert response.status_code == 200


def test_tokens_are_stored_hashed(supplier):
    stored = ApiToken.objects.get(user=supplier)
    assert supplier.token not in {stored.digest, stored.prefix}
    assert stored.digest != supplier.token and len(stored.digest) == 64


def test_use_records_last_used_time(api, supplier):
    api.get(LIST, {"token": supplier.token})
    assert ApiToken.objects.get(user=supplier).last_used_at is not None


def test_a_user_may_hold_several_tokens(api, supplier, private_task):
    second = token_create(user=supplier, name="cron")
    assert visible_ids(api.get(LIST, {"token": second.secret})) == [private_task.pk]
    assert visible_ids(api.get(LIST, {"token": supplier.token})) == [private_task.pk]


def test_a_failed_request_never_logs_its_token(api, supplier, caplog, capsys):
    secret = "deadbeef" * 5
    with caplog.at_level(logging.DEBUG):
        response = api.get(LIST, {"token": secret, "page": "abc"})
        api.get(LIST, {"token": supplier.token, "page": "abc"})
    assert response.status_code == 403
    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    captured = capsys.readouterr()
    for text in (logged, captured.out, captured.err, response.content.decode()):
        assert secret not in text and supplier.token not in text
    # A 4xx is on the access line only (tests/ops/test_logs_served.py checks it has no token);
    # Django's own "Forbidden: ..." line is not logged, so there is one line per request.
    assert not [r for r in caplog.records if r.name == "django.request"]
