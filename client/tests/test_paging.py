"""``sync_tasks`` follows ``next`` page after page, lazily, with the filters it was given."""

from __future__ import annotations

import itertools

import httpx
from scripted import ScriptedServer, json_response

from sluis_client import Client


def task(task_id: int) -> dict[str, object]:
    return {"id": task_id, "name": f"Task {task_id}", "owner": "Org", "task_type": "data_source"}


def page(ids: range, next_url: str | None) -> httpx.Response:
    body = {"count": 5, "next": next_url, "previous": None, "results": [task(i) for i in ids]}
    return json_response(200, body)


NEXT = "https://sluis.test/api/v1/sync_tasks/?page={}"


def test_every_page_is_followed_until_next_is_null(client: Client, server: ScriptedServer) -> None:
    server.reply(
        page(range(1, 3), NEXT.format(2)),
        page(range(3, 5), NEXT.format(3)),
        page(range(5, 6), None),
    )

    tasks = list(client.sync_tasks())

    assert [t.id for t in tasks] == [1, 2, 3, 4, 5]
    assert [r.url.params["page"] for r in server.requests] == ["1", "2", "3"]


def test_pages_are_fetched_only_as_far_as_they_are_read(
    client: Client, server: ScriptedServer
) -> None:
    server.reply(page(range(1, 3), NEXT.format(2)), page(range(3, 5), NEXT.format(3)))

    first_three = list(itertools.islice(client.sync_tasks(), 3))

    assert [t.id for t in first_three] == [1, 2, 3]
    assert len(server.requests) == 2


def test_the_filters_go_on_every_page_request(client: Client, server: ScriptedServer) -> None:
    server.reply(page(range(1, 2), NEXT.format(2)), page(range(2, 3), None))

    list(client.sync_tasks(search="water levels", task_type="data_source", private=False))

    for request in server.requests:
        assert request.url.path == "/api/v1/sync_tasks/"
        params = request.url.params
        assert params["uploadable"] == "true"
        assert params["private"] == "false"
        assert params["search"] == "water levels"
        assert params["task_type"] == "data_source"
        assert params["page_size"] == "50"


def test_uploadable_none_lists_every_task_and_page_size_is_passed_on(
    client: Client, server: ScriptedServer
) -> None:
    server.reply(page(range(1, 2), None))

    list(client.sync_tasks(uploadable=None, page_size=10))

    params = server.requests[0].url.params
    assert "uploadable" not in params
    assert "private" not in params
    assert params["page_size"] == "10"


def test_an_empty_listing_yields_nothing(client: Client, server: ScriptedServer) -> None:
    server.reply(json_response(200, {"count": 0, "next": None, "previous": None, "results": []}))

    assert list(client.sync_tasks()) == []
    assert len(server.requests) == 1


def test_the_token_is_sent_in_the_authorization_header_never_in_the_url(
    client: Client, server: ScriptedServer
) -> None:
    server.reply(page(range(1, 2), None))

    list(client.sync_tasks())

    request = server.requests[0]
    assert request.headers["Authorization"] == "Token supplier-token"
    assert "token" not in request.url.params
    assert request.headers["User-Agent"].startswith("sluis-client/")
