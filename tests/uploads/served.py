"""A real ``sluis serve`` (gunicorn) subprocess on a free port, for tests that need real HTTP.

It runs on the same database engine as the suite: a SQLite file in its own data folder, or, when
the suite runs on PostgreSQL, a database of its own on the same server (``<name>_served``).
Data is set up through ``sluis manage shell`` in the server's environment.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import environ
import httpx

BIN = Path(sys.executable).parent
MAX_BYTES = 4 * 1024 * 1024  # the served instance's cap: big enough to stream, small to test
IDLE_TIMEOUT = 2  # seconds a stalled upload body is waited for


@dataclass
class Served:
    url: str
    data_dir: Path
    env: dict
    process: subprocess.Popen

    @property
    def objects(self) -> Path:
        return self.data_dir / "objects"

    def shell(self, code: str) -> str:
        done = subprocess.run(
            [BIN / "sluis", "manage", "shell", "-c", code],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def stored(self) -> list[Path]:
        return sorted(p for p in self.objects.rglob("*") if p.is_file())

    def rss_kb(self) -> int:
        """Resident memory of the server's processes (master and workers)."""
        total = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(
                next(li.split()[1] for li in status.splitlines() if li.startswith("VmRSS"))
            )
        return total


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _descendants(pid: int) -> list[int]:
    children = _children(pid)
    return [grandchild for child in children for grandchild in _descendants(child)] + children


SETUP = """
import json
from sluis.accounts.services import organization_get_or_create, token_create, user_create
from sluis.catalog.services import data_source_create
org = organization_get_or_create(name="Served Org")
user = user_create(username="{user}", organization=org, data_supplier=True, display_name="S")
tasks = [data_source_create(owner=org, name=f"{user} {{i}}", kind="{kind}").sync_task.pk
         for i in range({count})]
print(json.dumps({{"token": token_create(user=user).secret, "tasks": tasks}}))
"""


def served_setup(served: Served, *, user: str, count: int, kind: str = "file") -> dict:
    """Create a supplier and ``count`` uploadable data sources in the served instance."""
    out = served.shell(SETUP.format(user=user, count=count, kind=kind))
    return json.loads(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(data_dir: Path) -> tuple[str, str | None]:
    """The served instance's database URL and, on PostgreSQL, the database name to drop."""
    if not on_postgres():
        return f"sqlite:///{data_dir / 'served.sqlite3'}", None
    return postgres_database("served")


def on_postgres() -> bool:
    """Whether the suite runs on PostgreSQL (``make test-postgres``)."""
    return os.environ.get("SLUIS_DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def postgres_database(suffix: str) -> tuple[str, str]:
    """A fresh, empty database ``<suite database>_<suffix>`` on the suite's PostgreSQL server:
    its URL and its name (for ``postgres_drop``)."""
    url = os.environ["SLUIS_DATABASE_URL"]
    config = environ.Env.db_url_config(url)
    name = f"{config['NAME']}_{suffix}"
    _pg_admin(config, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name, name


def postgres_drop(name: str) -> None:
    config = environ.Env.db_url_config(os.environ["SLUIS_DATABASE_URL"])
    _pg_admin(config, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_admin(config: dict, *statements: str) -> None:
    import psycopg

    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        for statement in statements:
            conn.execute(statement)


def serve(
    tmp: Path, *, options: tuple[str, ...] = ("--workers", "2", "--threads", "12"), **extra_env: str
) -> tuple[Served, str | None]:
    """Start ``sluis serve`` with ``options`` (empty: its defaults) and ``extra_env``."""
    data_dir = tmp / "data"
    data_dir.mkdir(parents=True, exist_ok=True)  # a test may mount a small disk inside first
    db_url, db_name = database_url(data_dir)
    env = {
        **os.environ,
        "SLUIS_DATA_DIR": str(data_dir),
        "SLUIS_DATABASE_URL": db_url,
        "SLUIS_SECRET_KEY": "served-test-secret",
        "SLUIS_MAX_UPLOAD_BYTES": str(MAX_BYTES),
        "SLUIS_UPLOAD_IDLE_TIMEOUT": str(IDLE_TIMEOUT),
        "SLUIS_LOG_LEVEL": "WARNING",
        # These tests are about receiving: without a worker every accepted upload stays queued,
        # so the busy window stays open for the whole round of a race.
        "SLUIS_SERVE_WORKER": "false",
        **extra_env,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return _start(tmp, data_dir, env, options, "server.log"), db_name


def serve_again(served: Served, tmp: Path, options: tuple[str, ...] = ()) -> Served:
    """Start ``sluis serve`` again on the same data folder and database (after a crash)."""
    return _start(tmp, served.data_dir, served.env, options, "server-again.log")


def _start(tmp: Path, data_dir: Path, env: dict, options: tuple[str, ...], log: str) -> Served:
    port = free_port()
    log_path = tmp / log
    with log_path.open("w") as handle:
        process = subprocess.Popen(
            [BIN / "sluis", "serve", "--port", str(port), *options],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    _wait_until_up(url, process, log_path)
    return Served(url=url, data_dir=data_dir, env=env, process=process)


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sluis serve exited: {log.read_text()}")
        try:
            if httpx.get(f"{url}/api/v1/sync_tasks/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling with a deadline, not synchronisation by sleeping
    raise RuntimeError(f"sluis serve did not answer in time: {log.read_text()}")


def stop(served: Served, db_name: str | None) -> None:
    family = _descendants(served.process.pid)  # the embedded worker runs in its own session
    served.process.send_signal(signal.SIGINT)  # gunicorn: quick shutdown
    try:
        served.process.wait(timeout=90)  # generous: a loaded CI machine is slow to shut down
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()
    for pid in family:  # never leave a process behind, whatever happened
        with contextlib.suppress(OSError):
            if b"sluis" in Path(f"/proc/{pid}/cmdline").read_bytes():  # still ours, not reused
                os.kill(pid, signal.SIGKILL)
    if db_name:
        postgres_drop(db_name)
    shutil.rmtree(served.data_dir, ignore_errors=True)


def moto_start(folder: Path) -> tuple[str, subprocess.Popen]:
    """A real S3-compatible server (moto_server) on a free loopback port, logging into
    ``folder``; returns its URL and process (terminate it when done)."""
    port = free_port()
    with (folder / "moto.log").open("w") as log:
        process = subprocess.Popen(
            [BIN / "moto_server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url, timeout=1)
            return url, process
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.1)  # polling with a deadline
