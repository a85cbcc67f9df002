"""SQLite's write lock held by another connection for longer than the busy timeout, against a
real ``sluis serve``: uploads answer 503 with Retry-After (never 500), keep nothing, and
``/ready/`` says the database is locked; once the lock is released everything works again."""

import sqlite3

import httpx
import pytest

from tests.uploads.served import on_postgres, serve, served_setup, stop

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(on_postgres(), reason="the SQLite write lock; PostgreSQL has row locks"),
]


@pytest.fixture(scope="module")
def locked_served(tmp_path_factory):
    instance, db_name = serve(
        tmp_path_factory.mktemp("locked"), SLUIS_SQLITE_TIMEOUT="1", SLUIS_READY_TIMEOUT="0.5"
    )
    yield instance
    stop(instance, db_name)


class WriteLock:
    """A second, real connection to the served database holding ``BEGIN IMMEDIATE``."""

    def __init__(self, served):
        self.connection = sqlite3.connect(
            served.data_dir / "served.sqlite3", isolation_level=None, timeout=10
        )

    def __enter__(self):
        self.connection.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc):
        self.connection.execute("ROLLBACK")
        self.connection.close()


def post(served, setup, name="a.csv"):
    url = f"{served.url}/api/v1/sync_tasks/{setup['tasks'][0]}/upload/?token={setup['token']}"
    return httpx.post(url, files={"upload_file": (name, b"a,b\n1,2\n")}, timeout=30)


def uploads_count(served) -> int:
    out = served.shell("from sluis.uploads.models import Upload; print(Upload.objects.count())")
    return int(out.strip().splitlines()[-1])


def test_an_upload_while_another_writer_holds_the_lock_is_503_with_retry_after(locked_served):
    setup = served_setup(locked_served, user="locked", count=1)
    post(locked_served, setup, "warm.csv")  # the token's first use is written now, not below
    locked_served.shell("from sluis.uploads.models import Upload; Upload.objects.all().delete()")
    before = locked_served.stored()
    with WriteLock(locked_served):
        response = post(locked_served, setup)
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "database_busy"
    assert int(response.headers["Retry-After"]) > 0
    assert locked_served.stored() == before
    assert uploads_count(locked_served) == 0
    assert post(locked_served, setup).status_code == 201


def test_ready_says_the_database_is_locked_while_the_lock_is_held(locked_served):
    with WriteLock(locked_served):
        response = httpx.get(f"{locked_served.url}/api/v1/ready/", timeout=30)
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"]["error"] == "DatabaseLocked"
    assert "database (DatabaseLocked)" in body["detail"]
    assert httpx.get(f"{locked_served.url}/api/v1/ready/", timeout=30).status_code == 200
