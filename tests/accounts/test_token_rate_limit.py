"""Bad-token attempts are limited per client address: past the limit, a 429 with Retry-After."""

import httpx
import pytest

from sluis.accounts.models import TokenFailure

LIST = "/api/v1/sync_tasks/"
BAD = "0" * 40


@pytest.fixture(autouse=True)
def limit(settings, db):
    settings.SLUIS_TOKEN_FAILURE_LIMIT = 3
    settings.SLUIS_TOKEN_FAILURE_WINDOW = 600


def test_the_attempt_after_the_limit_is_429_with_retry_after(api):
    statuses = [api.get(LIST, {"token": BAD}).status_code for _ in range(3)]
    refused = api.get(LIST, {"token": BAD})
    assert statuses == [403, 403, 403]
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_failed_attempts"
    assert 1 <= int(refused["Retry-After"]) <= 600


def test_a_blocked_address_learns_nothing_even_with_a_valid_token(api, supplier):
    for _ in range(3):
        api.get(LIST, {"token": BAD})
    assert api.get(LIST, {"token": supplier.token}).status_code == 429


def test_another_address_and_anonymous_requests_are_not_blocked(api, supplier):
    for _ in range(3):
        api.get(LIST, {"token": BAD}, REMOTE_ADDR="192.0.2.7")
    assert api.get(LIST, {"token": BAD}, REMOTE_ADDR="192.0.2.7").status_code == 429
    assert api.get(LIST, {"token": supplier.token}, REMOTE_ADDR="192.0.2.8").status_code == 200
    assert api.get(LIST, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_valid_tokens_do_not_count_and_the_next_window_starts_afresh(api, supplier):
    for _ in range(10):
        assert api.get(LIST, {"token": supplier.token}).status_code == 200
    for _ in range(3):
        api.get(LIST, {"token": BAD})
    assert api.get(LIST, {"token": supplier.token}).status_code == 429
    TokenFailure.objects.update(window=0)  # the window has passed
    assert api.get(LIST, {"token": supplier.token}).status_code == 200


def test_a_limit_of_zero_turns_the_limit_off(api, settings):
    settings.SLUIS_TOKEN_FAILURE_LIMIT = 0
    assert {api.get(LIST, {"token": BAD}).status_code for _ in range(10)} == {403}
    assert not TokenFailure.objects.exists()


@pytest.mark.services
def test_the_limit_holds_across_the_web_processes_of_sluis_serve(tmp_path):
    from tests.uploads.served import serve, stop

    served, db_name = serve(tmp_path, SLUIS_TOKEN_FAILURE_LIMIT="4")
    try:
        # every request on a new connection: any of the server's two processes may answer it
        statuses = [
            httpx.get(f"{served.url}{LIST}", params={"token": BAD}).status_code for _ in range(12)
        ]
    finally:
        stop(served, db_name)
    assert statuses == [403] * 4 + [429] * 8
