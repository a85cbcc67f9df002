"""Sluis scaled out on one machine, as docs/operations.md sets it up on two.

Two "app machines" (a data folder each, with its own spool and work folders) each run one
``sluis serve`` and one ``sluis worker``; they share a PostgreSQL database, a password-protected
redis-server and an S3 bucket on moto_server, and nginx runs the shipped configuration in front
of both web processes. Every process gets its configuration from ``deploy/sluis.env.example``
with only addresses, secrets, ports and folders changed (``OVERRIDDEN``), plus short recovery
timings (``RECOVERY``) so that a killed worker's upload is taken over in seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.ingest.workers import RedisServer, Worker, wait_for
from tests.ops.nginx import free_port, nginx_start, self_signed_certificate, site_config
from tests.uploads.served import moto_start, postgres_database, postgres_drop

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_ENV = ROOT / "deploy" / "sluis.env.example"
BIN = Path(sys.executable).parent
HOST = "localhost"  # the public host name (server_name, SLUIS_ALLOWED_HOSTS, certificate)
SECRET = "scaleout-test-secret"  # every change-me of the example: the test's secret

# The variables of deploy/sluis.env.example the test sets to its own values: addresses, secrets,
# ports, folders, and the web server's size (4 processes x 8 threads each is for a 4-core app
# machine; this 2-core test machine runs two app machines). Everything else is the example's.
OVERRIDDEN = {
    "SLUIS_DATA_DIR",
    "SLUIS_SECRET_KEY",
    "SLUIS_DATABASE_URL",
    "SLUIS_BROKER_URL",
    "SLUIS_S3_ENDPOINT_URL",
    "SLUIS_S3_SECRET_ACCESS_KEY",
    "SLUIS_UPLOAD_SPOOL_DIR",
    "SLUIS_ALLOWED_HOSTS",
    "SLUIS_CSRF_TRUSTED_ORIGINS",
    "SLUIS_PUBLIC_URL",
    "SLUIS_METRICS_TOKEN",
    "SLUIS_WEB_WORKERS",
    "SLUIS_WEB_THREADS",
}
# Not in the example (their defaults are minutes): a lease of 16 s, a sweep every 0.5 s, and a
# queued upload without a wake-up is woken again after 5 s (docs/processing.md, Durability).
RECOVERY = {
    "SLUIS_TASK_TIME_LIMIT": "15",
    "SLUIS_TASK_SOFT_TIME_LIMIT": "12",
    "SLUIS_LEASE_MARGIN": "1",
    "SLUIS_SWEEP_INTERVAL": "0.5",
    "SLUIS_REQUEUE_AFTER": "5",
}


def example_env() -> dict[str, str]:
    """The ``KEY=value`` lines of deploy/sluis.env.example (comments skipped)."""
    lines = EXAMPLE_ENV.read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {key.strip(): value.strip() for key, value in pairs}


@dataclass
class Web:
    """One ``sluis serve`` (gunicorn master and its workers) in its own process group."""

    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_up(self) -> Web:
        wait_for(lambda: self._answers() or not self.alive, 60, f"{self.name} to answer")
        assert self.alive, self.log.read_text()
        return self

    def _answers(self) -> bool:
        try:
            response = httpx.get(f"{self.url}/api/v1/health/", headers={"Host": HOST}, timeout=2)
        except httpx.TransportError:
            return False
        return response.status_code == 200

    def kill(self) -> None:
        """SIGKILL the master and every gunicorn worker at once: a machine losing power. Also
        the teardown: nothing of a stopped cluster is kept, so there is nothing to wait for."""
        _signal_group(self.process, signal.SIGKILL)
        self.process.wait(10)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass  # the whole group is gone already


@dataclass
class Machine:
    """One app machine: its data folder (spool and work folders inside) and its processes."""

    name: str
    env: dict[str, str]
    web: Web | None = None
    worker: Worker | None = None

    @property
    def data_dir(self) -> Path:
        return Path(self.env["SLUIS_DATA_DIR"])

    @property
    def spool_dir(self) -> Path:
        return Path(self.env["SLUIS_UPLOAD_SPOOL_DIR"])

    @property
    def work_dir(self) -> Path:
        return self.data_dir / "work"

    def largest_spool(self) -> int:
        """Bytes of the largest body this machine's web process is receiving right now."""
        if not self.spool_dir.exists():
            return 0
        return max((p.stat().st_size for p in self.spool_dir.iterdir()), default=0)

    def working_on(self, upload_id: int) -> bool:
        """Whether this machine's worker has a work folder for ``upload_id``."""
        return self.work_dir.exists() and any(self.work_dir.glob(f"upload-{upload_id}-*"))


@dataclass
class Cluster:
    tmp: Path
    stack: ExitStack = field(default_factory=ExitStack)
    machines: list[Machine] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    database_url: str = ""
    https_port: int = 0
    bucket: str = "sluis"
    setup: dict = field(default_factory=dict)

    @property
    def public_url(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    @property
    def certificate(self) -> str:
        return str(self.tmp / "nginx" / "sluis.crt")

    # --- starting and stopping -------------------------------------------------------------

    def start(self, setup_code: str) -> None:
        """Start the services, create the schema and the data, then both web processes and
        nginx. Workers are started separately (``start_workers``)."""
        self.database_url, name = postgres_database("scaleout")
        self.stack.callback(postgres_drop, name)
        redis = RedisServer(self._folder("redis"), password=SECRET).start()
        self.stack.callback(redis.stop)
        endpoint = self._start_s3()
        self.https_port = free_port()
        self.machines = [
            Machine(name, self._env(name, redis.url, endpoint)) for name in ("app1", "app2")
        ]
        self.sluis("migrate")
        self.setup = json.loads(self.sluis("manage", "shell", "-c", setup_code).splitlines()[-1])
        for machine in self.machines:
            machine.web = self._start_web(machine)
        for machine in self.machines:
            machine.web.wait_up()
        self._start_nginx()

    def stop(self) -> None:
        """Kill every process (in reverse order of starting) and drop the database."""
        self.stack.close()

    def start_workers(self) -> None:
        for machine in self.machines:
            log = self.tmp / f"{machine.name}-worker.log"
            self.logs.append(log)
            concurrency = int(machine.env["SLUIS_WORKER_CONCURRENCY"])
            machine.worker = Worker(machine.env, log, concurrency=concurrency)
            self.stack.callback(machine.worker.kill)
        for machine in self.machines:
            machine.worker.wait_ready(60)

    def stop_workers(self) -> None:
        for machine in self.machines:
            if machine.worker is not None:
                machine.worker.kill()
                machine.worker = None

    def _folder(self, name: str) -> Path:
        folder = self.tmp / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _start_s3(self) -> str:
        import boto3

        endpoint, process = moto_start(self._folder("moto"))
        self.stack.callback(_terminate, process)
        self.logs.append(self.tmp / "moto" / "moto.log")
        env = example_env()
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=env["SLUIS_S3_REGION"],
            aws_access_key_id=env["SLUIS_S3_ACCESS_KEY_ID"],
            aws_secret_access_key=SECRET,
        )
        s3.create_bucket(Bucket=env["SLUIS_S3_BUCKET"])
        self.bucket = env["SLUIS_S3_BUCKET"]
        return endpoint

    def _env(self, machine: str, broker_url: str, s3_endpoint: str) -> dict[str, str]:
        data_dir = self._folder(machine)
        overrides = {
            "SLUIS_DATA_DIR": str(data_dir),
            "SLUIS_SECRET_KEY": SECRET,
            "SLUIS_DATABASE_URL": self.database_url,
            "SLUIS_BROKER_URL": broker_url,
            "SLUIS_S3_ENDPOINT_URL": s3_endpoint,
            "SLUIS_S3_SECRET_ACCESS_KEY": SECRET,
            "SLUIS_UPLOAD_SPOOL_DIR": str(data_dir / "incoming"),
            "SLUIS_ALLOWED_HOSTS": HOST,
            "SLUIS_CSRF_TRUSTED_ORIGINS": self.public_url,
            "SLUIS_PUBLIC_URL": self.public_url,
            "SLUIS_METRICS_TOKEN": SECRET,
            "SLUIS_WEB_WORKERS": "2",
            "SLUIS_WEB_THREADS": "4",
        }
        example = example_env()
        assert set(overrides) == OVERRIDDEN <= set(example), set(overrides) ^ set(example)
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SLUIS_") and k != "DJANGO_SETTINGS_MODULE"
        }
        return {**inherited, **example, **overrides, **RECOVERY}

    def _start_web(self, machine: Machine) -> Web:
        port = free_port()
        log = self.tmp / f"{machine.name}-web.log"
        self.logs.append(log)
        with log.open("w") as handle:
            process = subprocess.Popen(
                [BIN / "sluis", "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=machine.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        web = Web(name=f"{machine.name} web", port=port, process=process, log=log)
        self.stack.callback(web.kill)
        return web

    def _start_nginx(self) -> None:
        folder = self._folder("nginx")
        self_signed_certificate(folder, HOST)
        upstreams = [f"127.0.0.1:{m.web.port}" for m in self.machines]
        site = site_config(
            folder,
            http_port=free_port(),
            https_port=self.https_port,
            upstreams=upstreams,
            server_name=HOST,
        )
        self.logs += [folder / "sluis-error.log", folder / "sluis-access.log"]
        process = nginx_start(folder, site, self.https_port)
        self.stack.callback(_terminate, process)

    # --- using it ---------------------------------------------------------------------------

    def sluis(self, *arguments: str, machine: Machine | None = None) -> str:
        """Run a ``sluis`` command on an app machine (the first by default); returns its
        standard output."""
        done = subprocess.run(
            [BIN / "sluis", *arguments],
            env=(machine or self.machines[0]).env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def web_of(self, machine: int) -> Web:
        web = self.machines[machine].web
        assert web is not None
        return web

    def log_tails(self, lines: int = 40) -> str:
        out = []
        for log in self.logs:
            text = log.read_text(errors="replace").splitlines() if log.exists() else []
            out.append(f"----- {log.name} (last {lines} lines) -----")
            out += text[-lines:]
        return "\n".join(out)


def _terminate(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
