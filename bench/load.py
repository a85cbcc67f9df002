"""Load benchmark: the API at 50 connections with uploads running, and processing throughput.

    .venv/bin/python bench/load.py                       # PostgreSQL + Redis, about 4 minutes
    .venv/bin/python bench/load.py --db sqlite --rounds 1

Starts a production-like Sluis of its own: ``sluis serve`` (gunicorn gthread, 2 workers x 4
threads by default) on a fresh PostgreSQL database (``sluis_bench_load``, dropped at the end) or
a temporary SQLite file, a Redis broker on a database number of its own, and separate
``sluis worker --concurrency 1`` processes. The catalogue: 5 organizations x 60 data sources of
every kind (some private, some not uploadable), a few calculation tasks, a supplier with grants
on other organizations' sources, plus the supplier's own timeseries sources used below.

Part 1, ``wrk`` (``--latency``, 50 connections, 2 threads, ``--duration`` s each) against, in turn:
- the anchor, ``GET /api/v1/health/``: the same gunicorn workers, the same Django middleware and
  DRF stack, a constant JSON body, no authentication and no database work;
- ``GET /api/v1/sync_tasks/?uploadable=true`` with the supplier's token;
- ``GET /api/v1/uploads/{id}/`` (the record of a succeeded upload) with the token;
- ``POST /api/v1/sync_tasks/{id}/upload/`` of a small multipart CSV to a data source whose
  upload is ``processing``: every answer must be 409 ``data_source_busy`` (others are counted).
Then the anchor and the listing again at the same offered rate, ``--paced-fraction`` (half) of
the listing's saturation rate: each connection thinks between requests, so p50/p99 show the
service time at that load rather than the closed-loop queue of a saturated server.
All runs, anchor included, see the same load: a background client posts timeseries uploads
(``--background-rate`` per second) that two worker processes process; the rounds repeat.

Part 2, processing throughput: ``--uploads`` timeseries CSVs (``--rows`` rows each) posted to as
many fresh data sources with no worker running, then one ``sluis worker --concurrency 1`` process
(or two such processes) started; time from the first claim (``started_at``) to the last
``finished_at``, uploads/s and the two-to-one ratio; 1, 2, 1, 2 by default.

Needs ``wrk`` (Debian package ``wrk``: installed with apt-get when run as root) and Redis, plus
PostgreSQL (``createdb``/``dropdb``) for ``--db postgres``. Everything it starts is stopped and
removed at the end: processes, the PostgreSQL database, the Redis database (flushed; the script
refuses one that is not empty), the temporary folder. Results: bench/README.md. Not a test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from ports import free_port, wait_for_port

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve()
BOUNDARY = "sluisbenchboundary7d1f"
ORGS = 5
SOURCES_PER_ORG = 60
KINDS = ["timeseries", "vector", "raster", "file"]
LISTING = "/api/v1/sync_tasks/?uploadable=true"


# --- helpers run inside Django (a subprocess with the benchmark's settings) --------------------


def django_helper(command: str, argument: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sluis.config.settings")
    import django

    django.setup()
    if command == "seed":
        print(json.dumps(seed(json.loads(argument))))
    elif command == "window":
        from django.db.models import Max, Min

        from sluis.uploads.models import Upload

        ids = [int(i) for i in argument.split(",")]
        window = Upload.objects.filter(pk__in=ids).aggregate(
            first=Min("started_at"), last=Max("finished_at")
        )
        print(json.dumps([window["first"].timestamp(), window["last"].timestamp()]))
    elif command == "claim":
        from sluis.ingest.lifecycle import upload_claim

        if upload_claim(upload_id=int(argument)) is None:
            sys.exit(f"upload {argument} could not be claimed")
    else:
        sys.exit(f"unknown helper {command}")


def seed(spec: dict) -> dict:
    """The catalogue; returns the supplier's token and the ids of its own timeseries sources."""
    from django.db import connection, transaction

    from sluis.accounts.services import organization_get_or_create, token_create, user_create
    from sluis.catalog.models import SyncTask, TaskType
    from sluis.catalog.services import data_source_create

    with transaction.atomic():
        orgs = [organization_get_or_create(name=f"Bench Org {n}") for n in range(ORGS)]
        supplier = user_create(
            username="bench-supplier",
            organization=orgs[0],
            display_name="Bench Supplier",
            data_supplier=True,
            data_consumer=True,
        )
        for org_number, org in enumerate(orgs):
            for n in range(SOURCES_PER_ORG):
                created = data_source_create(
                    owner=org,
                    name=f"{org.name} source {n:03d}",
                    kind=KINDS[n % len(KINDS)],
                    description=f"Catalogue entry {n} of {org.name}",
                    uploadable=n % 5 != 4,
                    private=n % 7 == 6,
                )
                if org_number > 0 and n % 6 == 0:
                    created.data_source.suppliers.add(supplier)
            for n in range(4):
                SyncTask.objects.create(
                    name=f"{org.name} model run {n}",
                    owner=org,
                    task_type=TaskType.CALCULATION if n % 2 else TaskType.SCENARIO,
                )
        own = {}
        for role, count in spec.items():
            own[role] = [
                data_source_create(
                    owner=orgs[0], name=f"Bench {role} {n:03d}", kind="timeseries"
                ).sync_task.pk
                for n in range(count)
            ]
    token = token_create(user=supplier, name="bench").secret
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a database in service has them
    return {"token": token, "tasks": own, "sync_tasks": SyncTask.objects.count()}


# --- processes ----------------------------------------------------------------------------------


def ensure_wrk() -> str:
    if found := shutil.which("wrk"):
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing: install it with `apt-get install wrk` (as root).")
    print("installing wrk with apt-get ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk") or "/usr/bin/wrk"


class Bench:
    """Everything the run starts, so that ``close()`` can stop and remove it all."""

    def __init__(self, args: argparse.Namespace, tmp: Path):
        self.args = args
        self.tmp = tmp
        self.processes: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        self.env = self._environment()
        self.port = free_port()
        self.created_db = False
        self.owns_redis_db = False

    def _environment(self) -> dict:
        env = {
            **os.environ,
            "SLUIS_DATA_DIR": str(self.tmp / "sluis"),
            "SLUIS_LOG_LEVEL": "WARNING",
            "SLUIS_SECRET_KEY": "bench-load",
            "SLUIS_BROKER_URL": self.args.redis_url,
            "SLUIS_QUEUE": "sluis-bench-load",
            "SLUIS_SERVE_WORKER": "false",
            "PYTHONPATH": str(HERE.parents[1] / "src"),
        }
        env.pop("SLUIS_DATABASE_URL", None)
        if self.args.db == "postgres":
            env["SLUIS_DATABASE_URL"] = self.args.pg_url
        return env

    def sluis(self, *argv: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            [BIN / "sluis", *argv],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            **kwargs,
        )

    def helper(self, command: str, argument: str) -> str:
        done = subprocess.run(
            [sys.executable, str(HERE), "_django", command, argument],
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"helper {command} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def prepare(self) -> None:
        redis_require_empty(self.args.redis_url)
        self.owns_redis_db = True
        if self.args.db == "postgres":
            name = database_name(self.args.pg_url)
            subprocess.run(pg("dropdb", self.args.pg_url, "--if-exists", name), check=True)
            subprocess.run(pg("createdb", self.args.pg_url, name), check=True)
            self.created_db = True
        self.sluis("migrate")

    def serve(self) -> None:
        log = (self.tmp / "serve.log").open("w")
        command = [BIN / "sluis", "serve", "--port", str(self.port)]
        command += [
            "--workers",
            str(self.args.web_workers),
            "--threads",
            str(self.args.web_threads),
        ]
        self.server = self._start(command, log)
        wait_for_port(self.port, deadline_s=90)

    def start_workers(self, count: int) -> None:
        """``count`` worker processes of concurrency 1; returns once each is consuming."""
        logs = []
        for _ in range(count):
            logs.append(self.tmp / f"worker-{len(self.processes)}.log")
            command = [BIN / "sluis", "worker", "--concurrency", "1", "--loglevel", "INFO"]
            self.workers.append(self._start(command, logs[-1].open("w")))
        deadline = time.monotonic() + 90
        while not all(" ready." in log.read_text() for log in logs):
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers not ready after 90 s; see {logs}")
            time.sleep(0.1)

    def stop_workers(self) -> None:
        for process in self.workers:
            stop(process, signal.SIGTERM)
        self.workers = []

    def _start(self, command: list, log) -> subprocess.Popen:
        process = subprocess.Popen(
            command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def close(self) -> None:
        for process in reversed(self.processes):
            stop(process, signal.SIGTERM if process in self.workers else signal.SIGINT)
        if self.created_db:
            name = database_name(self.args.pg_url)
            subprocess.run(pg("dropdb", self.args.pg_url, "--if-exists", "--force", name))
        if self.owns_redis_db:
            redis_flush(self.args.redis_url)


def stop(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def database_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def pg(tool: str, url: str, *argv: str) -> list[str]:
    parts = urllib.parse.urlsplit(url)
    return [
        tool,
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "root",
        *argv,
    ]


def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


def redis_require_empty(url: str) -> None:
    if _redis(url).dbsize():
        sys.exit(f"Redis database {url} is not empty; pass --redis-url with a free database.")


def redis_flush(url: str) -> None:
    _redis(url).flushdb()


# --- HTTP ---------------------------------------------------------------------------------------


def multipart(filename: str, content: bytes) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="upload_file"; '
        f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    return head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


def timeseries_csv(rows: int, shift: float) -> bytes:
    lines = ["location,parameter,timestamp,value"]
    per_location = max(1, rows // 10)
    for n in range(rows):
        location, hour = divmod(n, per_location)
        day, hour = divmod(hour, 24)
        stamp = f"2024-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T{hour:02d}:00:00Z"
        lines.append(f"LOC{location:02d},waterlevel,{stamp},{(n % 97) / 10 + shift:.2f}")
    return ("\n".join(lines) + "\n").encode()


class Client:
    def __init__(self, port: int, token: str):
        self.port = port
        self.headers = {"Authorization": f"Token {token}"}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers={**self.headers, **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def upload(self, task: int, content: bytes, name: str = "levels.csv"):
        body = multipart(name, content)
        headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        status, raw = self.request("POST", f"/api/v1/sync_tasks/{task}/upload/", body, headers)
        return status, json.loads(raw) if raw else {}

    def record(self, upload_id: int) -> dict:
        status, raw = self.request("GET", f"/api/v1/uploads/{upload_id}/")
        if status != 200:
            raise RuntimeError(f"GET /uploads/{upload_id}/ answered {status}: {raw[:300]!r}")
        return json.loads(raw)

    def wait_finished(self, upload_ids: list[int], timeout: float) -> list[dict]:
        deadline = time.monotonic() + timeout
        records: dict[int, dict] = {}
        for upload_id in upload_ids:
            while True:
                record = self.record(upload_id)
                if record["status"] in ("succeeded", "failed"):
                    records[upload_id] = record
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"upload {upload_id} still {record['status']} at timeout")
                time.sleep(0.1)
        return [records[i] for i in upload_ids]


class BackgroundUploads(threading.Thread):
    """Posts a timeseries CSV every 1/rate s, round robin over its data sources (a busy source
    is skipped: its 409 is counted)."""

    def __init__(self, client: Client, tasks: list[int], rate: float, rows: int):
        super().__init__(daemon=True)
        self.client, self.tasks, self.rows = client, tasks, rows
        self.interval = 1 / rate if rate else 0.0
        self.stopping = threading.Event()
        self.accepted: list[int] = []
        self.busy = 0
        self.errors: list[str] = []

    def run(self) -> None:
        n = 0
        next_at = time.monotonic()
        while not self.stopping.is_set():
            task = self.tasks[n % len(self.tasks)]
            status, body = self.client.upload(task, timeseries_csv(self.rows, shift=n / 1000))
            if status == 201:
                self.accepted.append(body["id"])
            elif status == 409:
                self.busy += 1
            else:
                self.errors.append(f"{status} {str(body)[:200]}")
            n += 1
            next_at += self.interval
            self.stopping.wait(max(0.0, next_at - time.monotonic()))

    def stop(self) -> None:
        self.stopping.set()
        if self.is_alive():
            self.join()


# --- wrk ----------------------------------------------------------------------------------------

WRK_SCRIPT = """
-- Counts responses by status in every thread; done() prints one JSON line for the benchmark.
local threads = {}
counts = {}
%(request)s
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, string.format('"%%d": %%d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, '
    .. '"p99_us": %%d, "max_us": %%d, "mean_us": %%f, "socket_errors": %%d, '
    .. '"statuses": {%%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean,
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""


def lua_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "\\r").replace("\n", "\\n") + '"'


def wrk_script(
    path: Path,
    token: str | None,
    method: str = "GET",
    body: bytes = b"",
    think_ms: int = 0,
    first_requests: int = 0,
) -> Path:
    lines = [f"wrk.method = {lua_string(method)}"]
    if think_ms:
        # Each connection waits a random 0.5-1.5 x think_ms between requests, but sends its
        # first request at once, as a client does after connecting (wrk would delay it too, and
        # gunicorn's gthread worker holds a thread on a new connection until its first bytes).
        lines.append(
            f"local first, calls = {first_requests}, 0\n"
            "function delay()\n  calls = calls + 1\n  if calls <= first then return 0 end\n"
            f"  return math.random({think_ms // 2}, {think_ms * 3 // 2})\nend"
        )
    if token:
        lines.append(f'wrk.headers["Authorization"] = {lua_string("Token " + token)}')
    if body:
        lines.append(f"wrk.body = {lua_string(body.decode())}")
        content_type = f"multipart/form-data; boundary={BOUNDARY}"
        lines.append(f'wrk.headers["Content-Type"] = {lua_string(content_type)}')
    path.write_text(WRK_SCRIPT % {"request": "\n".join(lines)})
    return path


def wrk_run(wrk: str, args: argparse.Namespace, url: str, script: Path) -> dict:
    command = [wrk, "--latency", "-c", str(args.connections), "-t", str(args.wrk_threads)]
    command += ["-d", f"{args.duration}s", "--timeout", "30s", "-s", str(script), url]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("WRKJSON "))
    result = json.loads(line.removeprefix("WRKJSON "))
    result["rate"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


# --- the two parts ------------------------------------------------------------------------------


def run_load(bench: Bench, wrk: str, seeded: dict, client: Client) -> list[dict]:
    args = bench.args
    tasks = seeded["tasks"]
    status_upload = client_upload_ok(client, tasks["status"][0], timeseries_csv(args.rows, 0.0))
    client.wait_finished([status_upload], timeout=120)
    _, listing = client.request("GET", LISTING)
    print(f"{LISTING} shows the supplier {json.loads(listing)['count']} sync tasks", flush=True)
    base = f"http://127.0.0.1:{bench.port}"
    token = seeded["token"]
    small = multipart("levels.csv", timeseries_csv(20, 0.0))
    targets = [
        ("static", f"{base}/api/v1/health/", wrk_script(bench.tmp / "static.lua", None)),
        ("listing", f"{base}{LISTING}", wrk_script(bench.tmp / "listing.lua", token)),
        (
            "status",
            f"{base}/api/v1/uploads/{status_upload}/",
            wrk_script(bench.tmp / "status.lua", token),
        ),
        (
            "busy",
            f"{base}/api/v1/sync_tasks/{tasks['busy'][0]}/upload/",
            wrk_script(bench.tmp / "busy.lua", token, "POST", small),
        ),
    ]
    for _name, url, script in targets:  # warm-up: every web worker has imported and connected
        subprocess.run(
            [wrk, "-c", "8", "-t", "2", "-d", "2s", "-s", str(script), url],
            capture_output=True,
            check=True,
        )
    background = BackgroundUploads(client, tasks["background"], args.background_rate, args.rows)
    if args.background_rate > 0:
        background.start()
    results: list[dict] = []
    try:
        for round_number in range(1, args.rounds + 1):
            for name, url, script in targets:
                result = wrk_run(wrk, args, url, script)
                result.update(round=round_number, target=name)
                print_wrk(result, results)
                results.append(result)
            listing_rate = next(r for r in reversed(results) if r["target"] == "listing")["rate"]
            results += paced_runs(bench, wrk, targets[:2], listing_rate, round_number, token)
    finally:
        background.stop()
    records = client.wait_finished(background.accepted, timeout=300)
    failed = [r for r in records if r["status"] != "succeeded"]
    print(
        f"background: {len(background.accepted)} uploads accepted "
        f"({args.background_rate:g}/s offered), {len(records) - len(failed)} succeeded, "
        f"{len(failed)} failed, {background.busy} answered 409 (source still busy), "
        f"{len(background.errors)} other answers",
        flush=True,
    )
    if failed or background.errors:
        print(
            "  first problems:",
            [r.get("failure_reason") for r in failed][:3],
            background.errors[:3],
        )
    return results


def paced_runs(bench: Bench, wrk: str, targets, listing_rate: float, round_number: int, token):
    """The anchor and the listing at the same offered rate, a fraction (half) of the listing's
    saturation rate in this round: each connection thinks between requests, so the latency is
    service time plus queueing at that load, not the closed-loop queue of a saturated server."""
    offered = listing_rate * bench.args.paced_fraction
    think_ms = max(1, round(bench.args.connections / offered * 1000))
    results: list[dict] = []
    for name, url, _ in targets:
        script = wrk_script(
            bench.tmp / f"{name}-paced.lua",
            None if name == "static" else token,
            think_ms=think_ms,
            first_requests=-(-bench.args.connections // bench.args.wrk_threads),
        )
        result = wrk_run(wrk, bench.args, url, script)
        result.update(round=round_number, target=f"{name} paced", offered=offered)
        print_wrk(result, results)
        results.append(result)
    return results


def client_upload_ok(client: Client, task: int, content: bytes) -> int:
    status, body = client.upload(task, content)
    if status != 201:
        raise RuntimeError(f"upload to task {task} answered {status}: {body}")
    return body["id"]


def print_wrk(result: dict, earlier: list[dict]) -> None:
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result["statuses"].items()))
    line = (
        f"round {result['round']}  {result['target']:14s} p50 {result['p50_us'] / 1000:7.1f} ms"
        f"  p99 {result['p99_us'] / 1000:7.1f} ms  {result['rate']:8.1f} req/s"
    )
    anchor = next(
        (r for r in earlier if r["round"] == result["round"] and r["target"] == "static"), None
    )
    if "offered" in result:
        line += f"  (offered {result['offered']:.0f} req/s)"
    elif anchor and result["target"] != "static":
        line += f"  ({result['rate'] / anchor['rate']:.2f} x static)"
    line += f"  [{statuses}; socket errors {result['socket_errors']}]"
    print(line, flush=True)


def run_throughput(bench: Bench, client: Client, tasks: list[int], workers: int) -> dict:
    """Queue one upload per task with no worker running, then start ``workers`` processes and
    time the processing from the first claim to the last ``finished_at`` (database clock)."""
    args = bench.args
    content = timeseries_csv(args.rows, 0.0)
    began = time.monotonic()
    ids = [client_upload_ok(client, task, content) for task in tasks]
    posting = time.monotonic() - began
    bench.start_workers(workers)
    try:
        records = client.wait_finished(ids, timeout=args.throughput_timeout)
    finally:
        bench.stop_workers()
    failed = [r for r in records if r["status"] != "succeeded"]
    if failed:
        raise RuntimeError(f"{len(failed)} uploads failed: {failed[0].get('failure_reason')}")
    first, last = json.loads(bench.helper("window", ",".join(str(i) for i in ids)))
    seconds = last - first
    result = {"workers": workers, "uploads": len(ids), "seconds": seconds}
    result["rate"] = len(ids) / seconds
    print(
        f"throughput  {workers} worker process(es) x concurrency 1: {len(ids)} uploads of "
        f"{args.rows} rows processed in {seconds:6.2f} s = {result['rate']:5.2f} uploads/s "
        f"(posting them took {posting:.2f} s, {len(ids) / posting:.1f} uploads/s)",
        flush=True,
    )
    return result


# --- report -------------------------------------------------------------------------------------


def summarize(results: list[dict], throughput: list[dict], args) -> None:
    print(
        f"\n# summary: median over {args.rounds} round(s), {args.connections} connections, "
        f"{args.duration} s each, --db {args.db}"
    )
    by_target = {}
    for target in dict.fromkeys(r["target"] for r in results):
        runs = [r for r in results if r["target"] == target]
        by_target[target] = {
            key: statistics.median(r[key] for r in runs) for key in ("p50_us", "p99_us", "rate")
        }
        unexpected = sum(
            n
            for r in runs
            for status, n in r["statuses"].items()
            if status != ("409" if target == "busy" else "200")
        ) + sum(r["socket_errors"] for r in runs)
        figures = by_target[target]
        print(
            f"{target:14s} p50 {figures['p50_us'] / 1000:7.1f} ms  p99 "
            f"{figures['p99_us'] / 1000:7.1f} ms  {figures['rate']:8.1f} req/s  "
            f"unexpected answers/errors: {unexpected}"
        )
    static = by_target["static"]["rate"]
    for target in ("listing", "status", "busy"):
        ratios = [
            r["rate"] / s["rate"]
            for r in results
            if r["target"] == target
            for s in results
            if s["target"] == "static" and s["round"] == r["round"]
        ]
        print(
            f"{target:14s} / static req/s: median of rounds {statistics.median(ratios):.2f} "
            f"(medians {by_target[target]['rate'] / static:.2f})"
        )
    listing_p99 = by_target["listing"]["p99_us"] / 1000
    busy_ratio = by_target["busy"]["rate"] / static
    paced_p99 = by_target["listing paced"]["p99_us"] / 1000
    print(
        f"target listing p99 < 50 ms: {listing_p99:.1f} ms at saturation -> "
        f"{'met' if listing_p99 < 50 else 'MISSED'}; {paced_p99:.1f} ms at "
        f"{args.paced_fraction:.0%} of saturation -> {'met' if paced_p99 < 50 else 'MISSED'}"
    )
    print(
        f"target 409/s >= 0.5 x static: {busy_ratio:.2f} -> "
        f"{'met' if busy_ratio >= 0.5 else 'MISSED'}"
    )
    if throughput:
        for workers in sorted({t["workers"] for t in throughput}):
            rates = [t["rate"] for t in throughput if t["workers"] == workers]
            print(
                f"processing, {workers} worker(s): {statistics.median(rates):.2f} uploads/s "
                f"(runs {', '.join(f'{r:.2f}' for r in rates)})"
            )
        one = statistics.median(t["rate"] for t in throughput if t["workers"] == 1)
        two = statistics.median(t["rate"] for t in throughput if t["workers"] == 2)
        print(f"processing, 2 workers / 1 worker: {two / one:.2f} x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--pg-url", default="postgres://root@127.0.0.1:5432/sluis_bench_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--background-rate", type=float, default=2.0, help="uploads/s")
    parser.add_argument(
        "--paced-fraction",
        type=float,
        default=0.5,
        help="offered rate of the paced runs, as a fraction of the listing's saturation rate",
    )
    parser.add_argument("--rows", type=int, default=2000, help="rows per timeseries upload")
    parser.add_argument("--uploads", type=int, default=60, help="per throughput run")
    parser.add_argument("--throughput-rounds", type=int, default=2)
    parser.add_argument("--throughput-timeout", type=float, default=240)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    wrk = ensure_wrk()
    began = time.monotonic()
    print(
        f"# load benchmark, --db {args.db}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="sluis-bench-load-") as folder:
        bench = Bench(args, Path(folder))
        try:
            results, throughput = run_all(bench, wrk, args)
        finally:
            bench.close()
    if not args.skip_load:
        summarize(results, throughput, args)
    elif throughput:
        summarize_throughput(throughput)
    print(f"total {time.monotonic() - began:.0f} s, load average now {os.getloadavg()[0]:.1f}")


def summarize_throughput(throughput: list[dict]) -> None:
    one = statistics.median(t["rate"] for t in throughput if t["workers"] == 1)
    two = statistics.median(t["rate"] for t in throughput if t["workers"] == 2)
    print(
        f"processing: 1 worker {one:.2f} uploads/s, 2 workers {two:.2f} uploads/s, "
        f"ratio {two / one:.2f} x"
    )


def run_all(bench: Bench, wrk: str, args) -> tuple[list[dict], list[dict]]:
    bench.prepare()
    spec = {
        "busy": 1,
        "status": 1,
        "background": 20,
        "throughput": args.uploads * 2 * args.throughput_rounds,
    }
    seeded = json.loads(bench.helper("seed", json.dumps(spec)))
    print(f"catalogue: {seeded['sync_tasks']} sync tasks over {ORGS} organizations", flush=True)
    bench.serve()
    client = Client(bench.port, seeded["token"])
    # The busy source: a real upload, claimed by this script as a worker would claim it, so that
    # it stays `processing` (with a lease) for the whole run and no worker picks it up.
    busy_upload = client_upload_ok(client, seeded["tasks"]["busy"][0], timeseries_csv(20, 0.0))
    bench.helper("claim", str(busy_upload))
    results: list[dict] = []
    if not args.skip_load:
        bench.start_workers(2)
        try:
            results = run_load(bench, wrk, seeded, client)
        finally:
            bench.stop_workers()
    throughput: list[dict] = []
    if not args.skip_throughput:
        tasks = seeded["tasks"]["throughput"]
        for round_number in range(args.throughput_rounds):
            for workers in (1, 2):
                start = (round_number * 2 + workers - 1) * args.uploads
                throughput.append(
                    run_throughput(bench, client, tasks[start : start + args.uploads], workers)
                )
    return results, throughput


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "_django":
        django_helper(sys.argv[2], sys.argv[3])
    else:
        main()
