"""Web requests keep their database connection between requests, on both engines.

Opening a connection costs more than a simple query: on SQLite the file is opened, the WAL
pragmas run and the schema is parsed again, on PostgreSQL a backend process starts. So a
connection lives for ``SLUIS_DB_CONN_MAX_AGE`` seconds on either engine (bench/README.md,
"API under load").
"""

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection


def _get(handler: WSGIHandler, token: str) -> int:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/v1/sync_tasks/",
        "QUERY_STRING": "uploadable=true",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
    }
    statuses = []
    response = handler(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()  # what the WSGI server does: fires request_finished
    return int(statuses[0].split()[0])


@pytest.mark.django_db(transaction=True)
def test_consecutive_requests_reuse_the_database_connection(supplier, make_source):
    make_source(name="Levels", kind="timeseries")
    handler = WSGIHandler()
    assert _get(handler, supplier.token) == 200
    first = connection.connection
    assert first is not None
    assert _get(handler, supplier.token) == 200
    assert connection.connection is first


@pytest.mark.django_db(transaction=True)
def test_a_connection_older_than_the_max_age_is_replaced(supplier):
    handler = WSGIHandler()
    assert _get(handler, supplier.token) == 200
    first = connection.connection
    connection.close_at = 0  # as if SLUIS_DB_CONN_MAX_AGE had passed since it was opened
    assert _get(handler, supplier.token) == 200
    assert connection.connection is not first
