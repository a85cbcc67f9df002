"""Reading stored files back: ``GET /api/v1/files/`` and ``/files/{id}/`` with signed links."""

import io
from urllib.parse import unquote, urlparse

import pytest
from PIL import Image

from sluis.datastore.files.models import StoredFile
from tests.datastore.files import builders
from tests.datastore.files.test_ingest import BRIDGE, DIKE, LOCK, survey

URL = "/api/v1/files/"


@pytest.fixture
def surveyed(photos, run_job):
    run_job(photos, survey())
    return photos


def as_user(api, user):
    api.credentials(HTTP_AUTHORIZATION=f"Token {user.token}")
    return api


def body(response):
    return b"".join(response.streaming_content)


def test_the_list_shows_times_places_and_working_links(api, consumer, surveyed, client):
    response = as_user(api, consumer).get(URL, {"data_source": surveyed.pk})
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 4 and page["next"] is None
    first = page["results"][0]
    assert first["name"] == "IMG_0001.jpg" and first["timestamp"] == "2024-05-01T07:00:00Z"
    assert first["location"] == {"type": "Point", "coordinates": [BRIDGE[1], BRIDGE[0]]}
    assert (first["width"], first["height"], first["timestamp_source"]) == (640, 480, "exif")

    download = client.get(urlparse(first["download_link"]).path)
    assert download.status_code == 200 and body(download) == survey()[0][1]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "image/jpeg"

    thumbnail = client.get(urlparse(first["thumbnail_link"]).path)
    assert thumbnail.status_code == 200 and thumbnail["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(body(thumbnail))).size == (256, 192)


def test_a_document_downloads_under_its_original_name(api, consumer, surveyed, client):
    report = StoredFile.objects.get(name="inspectionreport.pdf")
    detail = as_user(api, consumer).get(f"{URL}{report.pk}/").json()
    assert (detail["page_count"], detail["location"], detail["thumbnail_link"]) == (3, None, None)
    assert detail["original_filename"] == detail["original_name"] == "inspection report.pdf"
    response = client.get(urlparse(detail["download_link"]).path)
    disposition = unquote(response["Content-Disposition"])
    assert (
        disposition.endswith("''inspection report.pdf")
        and response["Content-Type"] == "application/pdf"
    )


def test_files_are_filtered_by_time(api, consumer, surveyed):
    params = {"start": "2024-05-01T07:15:00Z", "end": "2024-05-01T10:00:00+02:00"}
    names = [f["name"] for f in as_user(api, consumer).get(URL, params).json()["results"]]
    assert names == ["IMG_0002.jpg", "IMG_0003.jpg"]


def test_an_unencoded_plus_in_an_offset_still_means_plus(api, consumer, surveyed):
    response = as_user(api, consumer).get(URL + "?end=2024-05-01T09:00:00+02:00")
    assert [f["name"] for f in response.json()["results"]] == ["IMG_0001.jpg"]


def test_files_are_filtered_by_bounding_box(api, consumer, surveyed):
    around_the_north = {"bbox": "5.0,52.0,7.0,53.5"}
    names = [f["name"] for f in as_user(api, consumer).get(URL, around_the_north).json()["results"]]
    assert names == ["IMG_0001.jpg", "IMG_0003.jpg"]
    assert LOCK[0] < 52.0 and DIKE[0] > 53.0


def test_a_bounding_box_across_the_antimeridian_works(api, consumer, photos, run_job):
    fiji = builders.photo(position=(-17.7, 178.0))
    samoa = builders.photo(position=(-13.8, -171.8))
    run_job(
        photos,
        [
            ("fiji.jpg", fiji, "jpeg"),
            ("samoa.jpg", samoa, "jpeg"),
            ("nl.jpg", builders.photo(position=BRIDGE), "jpeg"),
        ],
    )
    results = as_user(api, consumer).get(URL, {"bbox": "170,-20,-170,-10"}).json()["results"]
    assert sorted(f["name"] for f in results) == ["fiji.jpg", "samoa.jpg"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start": "yesterday"}, "'start' must be an ISO 8601 date or date-time"),
        ({"start": "2024-02-01", "end": "2024-01-01"}, "'start' must not be later"),
        ({"bbox": "1,2,3"}, "'bbox' must be"),
        ({"bbox": "0,60,10,50"}, "latitudes"),
        ({"bbox": "0,nan,1,1"}, "'bbox' must be"),
        ({"data_source": "abc"}, "'data_source' must be"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(api, consumer, surveyed, params, words):
    response = as_user(api, consumer).get(URL, params)
    assert response.status_code == 400 and response.json()["code"] == "invalid_parameter"
    assert words in response.json()["detail"]


def test_a_file_is_found_by_the_name_it_was_sent_under(api, consumer, surveyed):
    results = as_user(api, consumer).get(URL, {"name": "inspection report.pdf"}).json()["results"]
    assert [f["name"] for f in results] == ["inspectionreport.pdf"]


def test_a_date_alone_means_its_midnight_utc(api, consumer, surveyed):
    results = as_user(api, consumer).get(URL, {"start": "2024-05-02"}).json()["results"]
    assert [f["name"] for f in results] == ["inspectionreport.pdf"]


def test_pages_follow_the_nexus_pagination(api, consumer, surveyed):
    page = as_user(api, consumer).get(URL, {"page_size": 3}).json()
    assert page["count"] == 4 and len(page["results"]) == 3 and "page=2" in page["next"]


def test_without_a_token_the_files_are_403(api, surveyed):
    response = api.get(URL)
    assert response.status_code == 403 and response.json()["code"] == "not_authenticated"


def test_other_organizations_do_not_see_private_files(api, outsider, surveyed):
    as_user(api, outsider)
    assert api.get(URL).json()["count"] == 0
    response = api.get(URL, {"data_source": surveyed.pk})
    assert response.status_code == 404 and response.json()["code"] == "data_source_not_found"
    file_id = StoredFile.objects.first().pk
    response = api.get(f"{URL}{file_id}/")
    assert response.status_code == 404 and response.json()["code"] == "file_not_found"


def test_consumers_of_other_organizations_read_public_files(api, other_org, make_source, run_job):
    from sluis.accounts.services import token_create, user_create

    public = make_source(name="Public photos", kind="file").data_source
    run_job(public, [("a.jpg", builders.photo(), "jpeg")])
    reader = user_create(
        username="reader", organization=other_org, display_name="R", data_consumer=True
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=reader).secret}")
    assert api.get(URL).json()["count"] == 1


def test_a_link_taken_from_one_file_cannot_be_pointed_at_another(api, consumer, surveyed, client):
    links = [f["download_link"] for f in as_user(api, consumer).get(URL).json()["results"]]
    path = urlparse(links[0]).path
    tampered = path[:-6] + ("A" if path[-6] != "A" else "B") + path[-5:]
    assert client.get(tampered).status_code == 403


def test_the_schema_documents_the_files_endpoints(api, db):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/files/" in paths and "/api/v1/files/{id}/" in paths
