"""A full disk while receiving, against a real ``sluis serve`` whose object storage folder (and
so its spool, ``<objects>/.incoming``) is a 2 MiB tmpfs: the upload is 507 with the JSON body,
nothing is kept, and the kept-alive connection carries the next request."""

import http.client
import json

import pytest

from tests.disk import small_disk
from tests.uploads.conftest import BOUNDARY, multipart
from tests.uploads.served import serve, served_setup, stop

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def full_served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("diskfull")
    with small_disk(tmp / "data" / "objects", "2m"):
        instance, db_name = serve(tmp)
        yield instance
        stop(instance, db_name)


def body_of(size: int) -> bytes:
    return multipart(
        ('Content-Disposition: form-data; name="upload_file"; filename="big.csv"', b"7" * size)
    )


def post(conn: http.client.HTTPConnection, path: str, body: bytes):
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    return response, response.read()


def test_a_full_disk_while_receiving_is_507_keeps_nothing_and_the_connection_lives_on(
    full_served,
):
    setup = served_setup(full_served, user="diskfull", count=1)
    path = f"/api/v1/sync_tasks/{setup['tasks'][0]}/upload/?token={setup['token']}"
    before = full_served.stored()
    conn = http.client.HTTPConnection(full_served.url.removeprefix("http://"), timeout=30)
    first, text = post(conn, path, body_of(3 * 1024 * 1024))
    sock = conn.sock
    assert first.status == 507, text
    assert json.loads(text)["code"] == "insufficient_storage"
    assert not first.will_close
    assert full_served.stored() == before
    second, text = post(conn, path, body_of(100_000))
    assert conn.sock is sock  # the same connection carried the second request
    assert second.status == 201, text
    assert json.loads(text)["size"] == 100_000
