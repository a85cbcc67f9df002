import pytest

from sluis.catalog.services import data_source_create

LIST = "/api/v1/sync_tasks/"


@pytest.fixture
def sixty_tasks(org):
    return [
        data_source_create(owner=org, name=f"Source {i:02}", kind="file").sync_task
        for i in range(60)
    ]


def test_default_page_is_ten_with_absolute_links_keeping_filters(api, sixty_tasks):
    body = api.get(LIST, {"uploadable": "true"}).json()
    assert body["count"] == 60 and len(body["results"]) == 10
    assert body["previous"] is None
    assert body["next"].startswith("http://testserver/api/v1/sync_tasks/?")
    assert "uploadable=true" in body["next"] and "page=2" in body["next"]


def test_following_next_walks_every_task_once(api, sixty_tasks):
    seen, url = [], LIST + "?page_size=25"
    while url:
        body = api.get(url).json()
        seen += [task["id"] for task in body["results"]]
        url = body["next"]
    assert seen == [task.pk for task in sixty_tasks]


def test_page_size_is_capped_at_fifty(api, sixty_tasks):
    assert len(api.get(LIST, {"page_size": "51"}).json()["results"]) == 50


def test_a_page_beyond_the_end_is_404(api, sixty_tasks):
    response = api.get(LIST, {"page": "7"})
    assert response.status_code == 404 and response.json()["code"] == "page_not_found"


def test_the_last_page_has_a_previous_link_and_no_next(api, sixty_tasks):
    body = api.get(LIST, {"page": "6"}).json()
    assert body["next"] is None and "page=5" in body["previous"]
