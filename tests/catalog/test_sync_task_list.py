import pytest

from sluis.accounts.services import token_create, user_create
from sluis.catalog.models import SyncTask, TaskType

LIST = "/api/v1/sync_tasks/"


@pytest.fixture
def catalog(make_source, other_org, org):
    """Public, private, non-uploadable and foreign tasks, plus a calculation."""
    return {
        "public": make_source(name="Public levels").sync_task,
        "private": make_source(name="Private levels", private=True).sync_task,
        "closed": make_source(name="Closed levels", uploadable=False).sync_task,
        "foreign": make_source(name="Foreign", owner=other_org, private=True).sync_task,
        "calc": SyncTask.objects.create(
            name="Model run", owner=org, task_type=TaskType.CALCULATION
        ),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {task["id"] for task in response.json()["results"]}


def test_anonymous_callers_see_public_tasks_only(api, catalog):
    expected = {catalog[k].pk for k in ("public", "closed", "calc")}
    assert ids(api.get(LIST)) == expected


def test_a_token_adds_its_organizations_private_tasks(api, catalog, supplier):
    expected = {catalog[k].pk for k in ("public", "private", "closed", "calc")}
    assert ids(api.get(LIST, {"token": supplier.token})) == expected


def test_an_outsider_sees_public_tasks_and_their_own(api, catalog, outsider):
    expected = {catalog[k].pk for k in ("public", "closed", "calc", "foreign")}
    assert ids(api.get(LIST, {"token": outsider.token})) == expected


def test_an_explicit_grant_makes_a_private_task_visible(api, catalog, outsider):
    catalog["private"].data_source.suppliers.add(outsider)
    assert catalog["private"].pk in ids(api.get(LIST, {"token": outsider.token}))


def test_admins_see_everything(api, catalog, admin_user):
    assert ids(api.get(LIST, {"token": admin_user.token})) == {t.pk for t in catalog.values()}


def test_uploadable_filter_matches_the_reference_example(api, catalog, supplier):
    response = api.get(LIST, {"uploadable": "true", "token": supplier.token})
    body = response.json()
    assert ids(response) == {catalog["public"].pk, catalog["private"].pk}
    first = body["results"][0]
    assert {"id", "name", "owner", "task_type", "uploadable"} <= first.keys()
    assert first["owner"] == "Waterboard North" and first["uploadable"] is True
    assert first["data_source"] == {
        "id": catalog["public"].data_source.pk,
        "name": "Public levels",
        "kind": "timeseries",
    }
    assert {"count", "next", "previous", "results"} == body.keys()


def test_uploadable_false_lists_the_rest(api, catalog):
    assert ids(api.get(LIST, {"uploadable": "false"})) == {catalog["closed"].pk, catalog["calc"].pk}


def test_private_and_task_type_filters(api, catalog, supplier):
    token = supplier.token
    assert ids(api.get(LIST, {"private": "true", "token": token})) == {catalog["private"].pk}
    assert ids(api.get(LIST, {"task_type": "calculation", "token": token})) == {catalog["calc"].pk}


def test_search_is_case_insensitive_over_name_and_description(api, catalog, supplier):
    ds = catalog["closed"].data_source
    ds.description = "Groundwater HEADS in the polder"
    ds.save()
    assert ids(api.get(LIST, {"search": "PUBLIC"})) == {catalog["public"].pk}
    assert ids(api.get(LIST, {"search": "heads"})) == {catalog["closed"].pk}


def test_dc_id_filters_by_data_source_ids(api, catalog):
    wanted = catalog["public"].data_source_id
    assert ids(api.get(LIST, {"dc_id": f"{wanted},999999"})) == {catalog["public"].pk}


@pytest.mark.parametrize(
    "params",
    [
        {"uploadable": "maybe"},
        {"private": "2"},
        {"task_type": "harvest"},
        {"dc_id": "a,b"},
        {"page": "0"},
        {"page": "abc"},
        {"page_size": "0"},
        {"page_size": "x"},
    ],
)
def test_bad_filter_values_are_400_with_a_message(api, catalog, params):
    response = api.get(LIST, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_parameter" and next(iter(params)) in body["detail"]


def test_the_old_path_sync_tasks_new_serves_the_same(api, catalog):
    assert ids(api.get("/api/v1/sync_tasks_new/")) == ids(api.get(LIST))


def test_detail_shows_one_visible_task(api, catalog, supplier, outsider):
    task = catalog["private"]
    response = api.get(f"{LIST}{task.pk}/", {"token": supplier.token})
    assert response.status_code == 200 and response.json()["private"] is True
    hidden = api.get(f"{LIST}{task.pk}/", {"token": outsider.token})
    assert hidden.status_code == 404 and hidden.json()["code"] == "sync_task_not_found"
    assert api.get(f"{LIST}999999/").status_code == 404


def test_a_user_without_organization_sees_no_private_task(api, catalog, org):
    loner = user_create(username="loner", organization=None, data_supplier=True)
    secret = SyncTask.objects.create(name="Secret run", owner=org, private=True)
    listed = ids(api.get(LIST, {"token": token_create(user=loner).secret}))
    assert listed == {catalog[k].pk for k in ("public", "closed", "calc")}
    assert secret.pk not in listed


@pytest.mark.parametrize("name", ["feature_type", "world", "locale"])
def test_a_nexus_filter_sluis_lacks_is_a_400_naming_it_not_an_unfiltered_list(api, catalog, name):
    response = api.get(LIST, {name: "x"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unsupported_parameter"
    assert body["parameters"] == [name] and name in body["detail"]
