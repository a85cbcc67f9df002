"""A real ``sluis serve`` with its embedded worker (no broker server), set up with a supplier,
a consumer and one uploadable data source of each kind: uploads go over HTTP exactly as a data
supplier's script sends them, and are processed in the background as in production."""

import json
import time

import httpx
import pytest

from tests.uploads.served import serve, stop

SETUP = """
import json
from sluis.accounts.services import organization_get_or_create, token_create, user_create
from sluis.catalog.services import data_source_create
org = organization_get_or_create(name="Waterboard E2E")
supplier = user_create(username="e2e-supplier", organization=org, data_supplier=True,
                       display_name="Data supplier X")
consumer = user_create(username="e2e-consumer", organization=org, data_consumer=True)
tasks = {kind: data_source_create(owner=org, name=f"E2E {kind}", kind=kind).sync_task.pk
         for kind in ("timeseries", "vector", "raster", "file")}
print(json.dumps({"supplier": token_create(user=supplier).secret,
                  "consumer": token_create(user=consumer).secret, "tasks": tasks}))
"""


class Sluis:
    """The served instance as a supplier and a consumer see it."""

    def __init__(self, served, setup: dict):
        self.url = served.url
        self.api = f"{served.url}/api/v1"
        self.supplier, self.consumer = setup["supplier"], setup["consumer"]
        self.tasks = setup["tasks"]

    def upload(self, kind: str, name: str, content: bytes) -> dict:
        response = httpx.post(
            f"{self.api}/sync_tasks/{self.tasks[kind]}/upload/",
            params={"token": self.supplier},
            files={"upload_file": (name, content)},
            timeout=60,
        )
        assert response.status_code == 201, response.text
        return response.json()

    def finished(self, upload: dict, timeout: float = 60) -> dict:
        """Poll the status URL (with a deadline) until processing has ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = httpx.get(upload["status_url"], params={"token": self.supplier}).json()
            if status["status"] in ("succeeded", "failed"):
                return status
            time.sleep(0.2)
        raise AssertionError(f"upload {upload['id']} still {status['status']} after {timeout}s")

    def read(self, path: str, **params) -> httpx.Response:
        response = httpx.get(f"{self.api}/{path}", params={"token": self.consumer, **params})
        assert response.status_code == 200, response.text
        return response


@pytest.fixture(scope="module")
def sluis(tmp_path_factory):
    served, db_name = serve(tmp_path_factory.mktemp("e2e"), SLUIS_SERVE_WORKER="true")
    try:
        setup = json.loads(served.shell(SETUP).strip().splitlines()[-1])
        yield Sluis(served, setup)
    finally:
        stop(served, db_name)
