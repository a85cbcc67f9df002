from datetime import timedelta
from urllib.parse import unquote, urlparse

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.utils import timezone

from sluis.uploads.links import download_link
from sluis.uploads.storage import object_storage

BYTES = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def stored_key(db):
    key = object_storage().save("tests/links/original.bin", ContentFile(BYTES))
    yield key
    object_storage().delete(key)


def link(key, filename="meting #1 ü.csv", **kwargs):
    request = RequestFactory().get("/")
    return download_link(request=request, key=key, filename=filename, **kwargs)


def path_of(url):
    return urlparse(url).path


def test_a_link_downloads_the_exact_bytes_as_an_attachment(client, stored_key):
    made = link(stored_key, content_type="text/csv")
    response = client.get(path_of(made.url))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == BYTES
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "meting #1 ü.csv"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "sandbox" in response["Content-Security-Policy"]
    assert made.expires_at > timezone.now() + timedelta(hours=23)


def test_one_changed_character_is_403(client, stored_key):
    url = path_of(link(stored_key).url)
    position = len("/api/v1/download/") + 5
    swapped = "A" if url[position] != "A" else "B"
    tampered = url[:position] + swapped + url[position + 1 :]
    response = client.get(tampered)
    assert response.status_code == 403 and response.json()["code"] == "invalid_link"


def test_an_expired_link_is_410(client, stored_key):
    response = client.get(path_of(link(stored_key, ttl_seconds=-1).url))
    assert response.status_code == 410 and response.json()["code"] == "link_expired"


def test_a_link_to_a_removed_object_is_410(client, stored_key):
    url = path_of(link(stored_key).url)
    object_storage().delete(stored_key)
    assert client.get(url).json()["code"] == "object_gone"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=10000-", 10000, 10239),
        ("bytes=-40", 10200, 10239),
        ("bytes=10200-99999", 10200, 10239),
    ],
)
def test_byte_ranges_return_206_with_the_right_slice(client, stored_key, header, start, end):
    response = client.get(path_of(link(stored_key).url), HTTP_RANGE=header)
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == BYTES[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(BYTES)}"


def test_an_unsatisfiable_range_is_416(client, stored_key):
    response = client.get(path_of(link(stored_key).url), HTTP_RANGE="bytes=20000-")
    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{len(BYTES)}"


def test_header_injection_through_the_name_is_impossible(client, stored_key):
    response = client.get(path_of(link(stored_key, filename='a"\r\nX-Evil: 1.csv').url))
    assert "X-Evil" not in response.headers
    assert (
        "\r" not in response["Content-Disposition"] and "\n" not in response["Content-Disposition"]
    )
