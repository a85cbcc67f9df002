"""GET /data_sources/: Nexus's data source listing, with its visibility rules and filters."""

from datetime import UTC, datetime

import pytest

from sluis.uploads.models import Upload, UploadStatus

pytestmark = pytest.mark.django_db

URL = "/api/v1/data_sources/"


@pytest.fixture
def sources(make_source, other_org, outsider):
    public = make_source(name="Levels", description="Water levels")
    private = make_source(name="Secret", private=True)
    theirs = make_source(name="Theirs", owner=other_org, private=True, uploadable=False)
    return public, private, theirs


def _names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_anonymous_callers_see_public_sources_with_the_nexus_fields(api, sources):
    response = api.get(URL)
    assert _names(response) == ["Levels"]
    row = response.json()["results"][0]
    public = sources[0]
    assert row == {
        "id": public.data_source.pk,
        "name": "Levels",
        "owner": "Waterboard North",
        "description": "Water levels",
        "private": False,
        "uploadable": True,
        "kind": "timeseries",
        "endpoint": f"http://testserver/api/v1/sync_tasks/{public.sync_task.pk}/upload/",
        "harvest_last_success": None,
    }


def test_members_see_their_private_sources_and_others_only_public_ones(
    api, consumer, outsider, admin_user, sources
):
    assert _names(api.get(URL, {"token": consumer.token})) == ["Levels", "Secret"]
    assert _names(api.get(URL, {"token": outsider.token})) == ["Levels", "Theirs"]
    assert _names(api.get(URL, {"token": admin_user.token})) == ["Levels", "Secret", "Theirs"]


def test_an_explicit_grant_shows_the_private_source(api, outsider, sources):
    sources[1].data_source.suppliers.add(outsider)
    assert "Secret" in _names(api.get(URL, {"token": outsider.token}))


def test_a_source_without_uploads_has_no_endpoint(api, outsider, sources):
    rows = api.get(URL, {"token": outsider.token}).json()["results"]
    assert next(r for r in rows if r["name"] == "Theirs")["endpoint"] is None


def test_harvest_last_success_is_the_newest_successful_upload(api, supplier, sources):
    source = sources[0].data_source
    for status, day in [(UploadStatus.SUCCEEDED, 1), (UploadStatus.SUCCEEDED, 2), ("failed", 3)]:
        moment = datetime(2026, 1, day, 12, tzinfo=UTC)
        Upload.objects.create(
            data_source=source,
            uploader=supplier,
            original_filename="x.csv",
            filename="x.csv",
            status=status,
            received_at=moment,
            finished_at=moment,
        )
    row = api.get(URL).json()["results"][0]
    assert row["harvest_last_success"] == "2026-01-02T12:00:00Z"


def test_dc_id_filters_by_data_source_id(api, consumer, sources):
    wanted = sources[1].data_source.pk
    assert _names(api.get(URL, {"token": consumer.token, "dc_id": str(wanted)})) == ["Secret"]


def test_anonymous_filters_are_403_and_world_or_locale_are_refused(api, consumer, sources):
    response = api.get(URL, {"dc_id": "1"})
    assert response.status_code == 403 and response.json()["code"] == "filter_needs_token"
    for name, value in (("world", "nl"), ("locale", "nl_NL")):
        response = api.get(URL, {"token": consumer.token, name: value})
        assert response.status_code == 400 and response.json()["code"] == "filter_not_offered"
    response = api.get(URL, {"token": consumer.token, "dc_id": "a,b"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_parameter"
