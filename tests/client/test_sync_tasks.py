"""Finding the sync task to upload to, against a real Sluis."""

import pytest

from sluis.catalog.models import SyncTask, TaskType
from sluis_client import Client, Forbidden, NotFound


@pytest.fixture
def many_tasks(make_source, org):
    uploadable = [make_source(name=f"Levels {i:02}").sync_task for i in range(23)]
    make_source(name="Closed levels", uploadable=False)
    SyncTask.objects.create(name="Levels forecast", owner=org, task_type=TaskType.CALCULATION)
    return uploadable


def test_it_iterates_every_page_of_uploadable_tasks(client_for, supplier, many_tasks):
    tasks = list(client_for(supplier).sync_tasks(page_size=10))
    assert [task.id for task in tasks] == [task.pk for task in many_tasks]
    assert all(task.uploadable and task.task_type == "data_source" for task in tasks)


def test_it_lists_every_task_when_uploadable_is_none(client_for, supplier, many_tasks):
    names = {task.name for task in client_for(supplier).sync_tasks(uploadable=None)}
    assert {"Closed levels", "Levels forecast"} <= names
    assert len(names) == 25


def test_search_and_task_type_filter_on_the_server(client_for, supplier, many_tasks):
    client = client_for(supplier)
    assert [t.name for t in client.sync_tasks(search="levels 07")] == ["Levels 07"]
    calculations = list(client.sync_tasks(uploadable=None, task_type="calculation"))
    assert [t.name for t in calculations] == ["Levels forecast"]


def test_a_task_carries_its_data_source(client_for, supplier, make_source):
    created = make_source(name="Photos", kind="file")
    task = client_for(supplier).sync_task(created.sync_task.pk)
    assert (task.name, task.owner, task.kind) == ("Photos", "Waterboard North", "file")
    assert task.data_source_id == created.data_source.pk


def test_an_anonymous_client_sees_public_tasks_only(client_for, make_source):
    make_source(name="Public levels")
    make_source(name="Secret levels", private=True)
    assert [t.name for t in client_for(None).sync_tasks()] == ["Public levels"]


def test_a_wrong_token_is_forbidden_with_the_servers_detail_and_code(sluis_url, many_tasks):
    with Client(sluis_url, "0" * 40) as client, pytest.raises(Forbidden) as caught:
        list(client.sync_tasks())
    assert caught.value.status_code == 403
    assert caught.value.code == "invalid_token"
    assert "token" in caught.value.detail


def test_an_invisible_task_is_not_found(client_for, outsider, make_source):
    secret = make_source(name="Secret levels", private=True).sync_task
    with pytest.raises(NotFound) as caught:
        client_for(outsider).sync_task(secret.pk)
    assert caught.value.code == "sync_task_not_found"


def test_the_base_url_may_include_the_api_root(sluis_url, supplier, many_tasks):
    with Client(sluis_url + "/api/v1/", supplier.token) as client:
        assert len(list(client.sync_tasks())) == 23
