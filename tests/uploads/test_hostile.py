"""Hostile input (archive bombs, hostile names and framing): each case asserts the status, that
nothing was kept, and that the answer came in bounded time."""

import time
from datetime import timedelta
from urllib.parse import unquote, urlparse

import pytest
from django.utils import timezone

from sluis.accounts.models import ApiToken
from sluis.accounts.services import token_create
from sluis.uploads.models import Upload
from tests.uploads.conftest import (
    CSV,
    csv_bytes,
    field_part,
    file_part,
    multipart,
    post_file,
    post_raw,
    stored_files,
    upload_url,
)

pytestmark = pytest.mark.django_db

SECONDS = 5


@pytest.fixture
def url(source, supplier):
    return upload_url(source.sync_task.pk, supplier.token)


def refused(response, started, status, code, storage_dir):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert time.monotonic() - started < SECONDS
    assert stored_files(storage_dir) == [] and Upload.objects.count() == 0


# --- HTTP and multipart -------------------------------------------------------------------------


def test_a_boundary_built_for_regex_backtracking_is_400(api, url, storage_dir):
    started = time.monotonic()
    boundary = '"' + "\\" * 40 + "a"
    response = api.generic(
        "POST", url, b"x" * 1000, content_type=f"multipart/form-data; boundary={boundary}"
    )
    refused(response, started, 400, "malformed_multipart", storage_dir)


def test_no_boundary_is_400(api, url, storage_dir):
    started = time.monotonic()
    response = api.generic("POST", url, b"x", content_type="multipart/form-data")
    refused(response, started, 400, "malformed_multipart", storage_dir)


def test_megabytes_of_crlf_before_the_first_part_are_400(api, url, storage_dir):
    started = time.monotonic()
    body = b"\r\n" * (2 * 1024 * 1024) + multipart(file_part("a.csv"))
    refused(post_raw(api, url, body), started, 400, "malformed_multipart", storage_dir)


def test_a_50_mb_form_field_is_400(api, url, storage_dir):
    started = time.monotonic()
    body = multipart(field_part("note", b"n" * (50 * 1024 * 1024)), file_part("a.csv"))
    refused(post_raw(api, url, body), started, 400, "form_too_large", storage_dir)


def test_1001_fields_are_400(api, url, storage_dir):
    started = time.monotonic()
    parts = [field_part(f"f{i}", b"v") for i in range(1001)] + [file_part("a.csv")]
    refused(post_raw(api, url, multipart(*parts)), started, 400, "form_too_large", storage_dir)


def test_101_file_parts_are_400(api, url, storage_dir):
    started = time.monotonic()
    parts = [file_part(f"{i}.csv") for i in range(101)]
    refused(post_raw(api, url, multipart(*parts)), started, 400, "multiple_files", storage_dir)


def test_a_huge_part_header_is_400(api, url, storage_dir):
    started = time.monotonic()
    header = 'Content-Disposition: form-data; name="upload_file"; filename="a.csv"\r\nX: '
    body = multipart((header + "h" * (200 * 1024), CSV))
    refused(post_raw(api, url, body), started, 400, "malformed_multipart", storage_dir)


def test_a_part_without_content_disposition_is_400(api, url, storage_dir):
    started = time.monotonic()
    body = multipart(("Content-Type: text/csv", CSV))
    refused(post_raw(api, url, body), started, 400, "malformed_multipart", storage_dir)


def test_a_truncated_body_is_400_and_keeps_nothing(api, url, storage_dir):
    started = time.monotonic()
    body = multipart(file_part("a.csv", b"x" * 100_000))[:60_000]
    refused(post_raw(api, url, body), started, 400, "truncated_body", storage_dir)


def test_a_non_multipart_form_is_415(api, url, storage_dir):
    started = time.monotonic()
    response = api.generic(
        "POST", url, b"upload_file=abc", content_type="application/x-www-form-urlencoded"
    )
    refused(response, started, 415, "unsupported_media_type", storage_dir)


# --- filenames ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "..\\..\\win.ini", "C:\\x", "/abs/x", "", "..", "中文.csv"]
)
def test_hostile_names_are_stored_under_generated_keys_only(api, url, storage_dir, name):
    response = post_raw(api, url, multipart(file_part(name)))
    assert response.status_code == 201, response.json()
    upload = Upload.objects.get()
    assert upload.original_filename == name
    assert response.json()["filename"] and "/" not in response.json()["filename"]
    assert stored_files(storage_dir) == [storage_dir / upload.storage_key]
    assert (storage_dir / upload.storage_key).resolve().is_relative_to(storage_dir.resolve())


@pytest.mark.parametrize("length", [300, 70_000])
def test_very_long_names_are_truncated_keeping_the_extension(api, url, length):
    response = post_raw(api, url, multipart(file_part("n" * length + ".csv")))
    assert response.status_code == 201
    filename = response.json()["filename"]
    assert len(filename) == 255 and filename.endswith(".csv")
    assert len(Upload.objects.get().original_filename) == length + 4


def test_quotes_semicolons_and_nul_in_a_name_never_reach_a_header(api, client, url):
    name = 'x";\x00 Set-Cookie: a=b; .csv'
    response = post_raw(api, url, multipart(file_part(name)))
    assert response.status_code == 201, response.json()
    assert response.json()["filename"] == "xSet-Cookieab.csv"
    download = client.get(urlparse(response.json()["download_link"]).path)
    disposition = download["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "Set-Cookie" not in download
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == name.replace("\x00", "\ufffd")


# --- auth ---------------------------------------------------------------------------------------


def test_a_revoked_token_is_403_before_the_body_is_read(api, supplier, source, storage_dir):
    ApiToken.objects.update(revoked_at=timezone.now())
    started = time.monotonic()
    response = post_file(api, source.sync_task.pk, supplier.token)
    refused(response, started, 403, "invalid_token", storage_dir)


def test_an_expired_token_is_403(api, supplier, source, storage_dir):
    expired = token_create(user=supplier, expires_at=timezone.now() - timedelta(seconds=1))
    started = time.monotonic()
    response = post_file(api, source.sync_task.pk, expired.secret)
    refused(response, started, 403, "invalid_token", storage_dir)


def test_two_different_tokens_are_400(api, supplier, source, storage_dir):
    started = time.monotonic()
    response = post_file(
        api, source.sync_task.pk, supplier.token, HTTP_AUTHORIZATION="Token " + "1" * 40
    )
    refused(response, started, 400, "ambiguous_token", storage_dir)


# --- download links -----------------------------------------------------------------------------


def test_an_upload_link_with_one_changed_character_is_403(api, client, url):
    link = urlparse(post_raw(api, url, multipart(file_part("a.csv"))).json()["download_link"])
    position = len("/api/v1/download/") + 10
    changed = "A" if link.path[position] != "A" else "B"
    tampered = link.path[:position] + changed + link.path[position + 1 :]
    assert client.get(tampered).status_code == 403


def test_an_expired_upload_link_is_410(api, client, url, settings):
    settings.SLUIS_DOWNLOAD_LINK_TTL = -1
    link = urlparse(post_raw(api, url, multipart(file_part("a.csv"))).json()["download_link"])
    assert client.get(link.path).status_code == 410


def test_a_link_only_ever_serves_its_own_upload(api, client, supplier, source, make_source):
    other = make_source(name="Other")
    first_bytes, second_bytes = csv_bytes(300), csv_bytes(400)
    first = post_file(api, source.sync_task.pk, supplier.token, first_bytes).json()
    post_file(api, other.sync_task.pk, supplier.token, second_bytes)
    response = client.get(urlparse(first["download_link"]).path)
    assert b"".join(response.streaming_content) == first_bytes


def test_a_boundary_at_the_rfc_limit_works(api, url):
    boundary = "b" * 70
    body = multipart(file_part("a.csv"), boundary=boundary)
    assert post_raw(api, url, body, boundary=boundary).status_code == 201


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable", "BASE64 "])
def test_a_part_with_a_transfer_encoding_is_refused_not_stored_as_text(
    api, url, storage_dir, encoding
):
    started = time.monotonic()
    headers, _ = file_part("levels.csv")
    part = (f"{headers}\r\nContent-Transfer-Encoding: {encoding}", b"bG9jYXRpb24sCg==")

    refused(
        post_raw(api, url, multipart(part)), started, 400, "unsupported_part_encoding", storage_dir
    )


@pytest.mark.parametrize("encoding", ["binary", "8bit"])
def test_a_part_with_an_identity_transfer_encoding_is_received(api, url, encoding):
    headers, content = file_part("levels.csv")
    part = (f"{headers}\r\nContent-Transfer-Encoding: {encoding}", content)

    assert post_raw(api, url, multipart(part)).status_code == 201
