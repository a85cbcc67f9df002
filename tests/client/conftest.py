"""Fixtures for the sluis-client tests: a real Sluis serving HTTP, and clients pointed at it.

``live_server`` is pytest-django's: Sluis in a server thread on a free port, on the test
database (SQLite or PostgreSQL), with the test's own ``SLUIS_DATA_DIR``.
"""

import pytest

from sluis_client import Client, PollPolicy, RetryPolicy

# Short bounds keep retries fast in tests; the behaviour is the same as with the defaults.
FAST_RETRY = RetryPolicy(attempts=4, total_wait=20.0, busy_delay=0.5, backoff=0.05)
FAST_POLL = PollPolicy(interval=0.05, factor=1.5, max_interval=0.5)


@pytest.fixture
def sluis_url(live_server):
    return live_server.url


@pytest.fixture
def client_for(sluis_url):
    """``client_for(user)``: a ``Client`` with that user's token (``None``: anonymous)."""
    opened = []

    def make(user=None, url=None, **options):
        options.setdefault("retry", FAST_RETRY)
        options.setdefault("poll", FAST_POLL)
        client = Client(url or sluis_url, user.token if user else None, **options)
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()


@pytest.fixture(autouse=True)
def no_user_settings(monkeypatch, tmp_path):
    """The developer's own SLUIS_URL, SLUIS_TOKEN and config file never leak into a test."""
    for name in ("SLUIS_URL", "SLUIS_TOKEN", "SLUIS_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def processing():
    """Every stored upload is processed at once by the real engine (``upload_process``, the body
    of the worker's task) in the server's request thread, right after the 201's transaction
    commits: no worker process (which could not share an in-memory SQLite test database)."""
    from sluis.ingest.processing import upload_process

    def process(upload_id, task_id=None):
        upload_process(upload_id=upload_id)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sluis.uploads.queue.send_process_upload", process)
        yield


@pytest.fixture(autouse=True)
def quick_retry_after(settings):
    """The server's Retry-After for a busy data source, in seconds (30 by default)."""
    settings.SLUIS_UPLOAD_RETRY_AFTER = 1


@pytest.fixture
def levels(make_source):
    return make_source(name="Water levels", kind="timeseries")


@pytest.fixture
def run(sluis_url, supplier, capsys):
    """``run(*args)`` → (exit code, stdout, stderr) of ``sluis-upload`` with URL and token."""
    from sluis_client.cli import main

    def invoke(*args):
        code = main([*map(str, args), "--url", sluis_url, "--token", supplier.token])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke
