"""Issue 11: Sluis on two app machines behind nginx, with PostgreSQL, Redis and S3.

Everything runs as real processes (see ``cluster.py``): nginx with the shipped configuration in
front of two ``sluis serve``, two ``sluis worker``, one database, broker and bucket, configured
from ``deploy/sluis.env.example``. Uploads go through nginx over HTTPS with sluis-client, as a
data supplier's script sends them. Kills happen at moments the test waits for, never after a
sleep: the web process is killed while it is receiving a large upload's body, the worker while
it is in the middle of processing (held at a row lock the test owns).
"""

from __future__ import annotations

import io
import json
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from sluis.datastore.vector.models import VectorVersion, VersionState
from sluis_client import Client, PollPolicy, RetryPolicy
from tests.datastore.files.builders import pdf
from tests.ingest.workers import wait_for
from tests.scaleout.cluster import HOST, SECRET, Cluster
from tests.scaleout.datasets import (
    Plan,
    big_check,
    big_timeseries,
    documents_plan,
    photos_plan,
    raster_plan,
    timeseries_plan,
    vector_plan,
)

pytestmark = pytest.mark.services

BIG_MINUTES = 100_000  # a 3.6 MB CSV: big enough to be caught while its body streams
WAIT = 120  # seconds any one upload may take to be processed, recovery included


def tls(cluster: Cluster) -> ssl.SSLContext:
    """Trust nginx's self-signed certificate (and nothing else)."""
    return ssl.create_default_context(cafile=cluster.certificate)


def supplier(cluster: Cluster) -> Client:
    """sluis-client through nginx, retrying quickly (the defaults wait seconds to minutes)."""
    return Client(
        cluster.public_url,
        token=cluster.setup["supplier"],
        timeout=30,
        verify=tls(cluster),  # type: ignore[arg-type]  (an SSLContext is what httpx wants)
        retry=RetryPolicy(attempts=6, backoff=0.5, backoff_max=2, busy_delay=1),
        poll=PollPolicy(interval=0.2, factor=1.0, max_interval=0.2),
    )


def consumer(cluster: Cluster) -> httpx.Client:
    return httpx.Client(
        base_url=f"{cluster.public_url}/api/v1/",
        headers={"Authorization": f"Token {cluster.setup['consumer']}"},
        verify=tls(cluster),
        timeout=30,
    )


def direct_upload(url: str, token: str, task: int, name: str, content: bytes, key: str):
    """POST straight to one web process, with the Host header nginx would send."""
    return httpx.post(
        f"{url}/api/v1/sync_tasks/{task}/upload/",
        headers={"Host": HOST, "Authorization": f"Token {token}", "Idempotency-Key": key},
        files={"upload_file": (name, content)},
        timeout=30,
    )


def test_every_web_process_is_ready_on_the_documented_configuration(cluster):
    """Database, broker and bucket reachable from both web processes and through nginx."""
    direct = [(web.url, {"Host": HOST}) for web in (cluster.web_of(0), cluster.web_of(1))]
    for url, headers in [*direct, (cluster.public_url, {})]:
        response = httpx.get(f"{url}/api/v1/ready/", headers=headers, verify=tls(cluster))
        assert response.status_code == 200, response.text
        checks = response.json()["checks"]
        assert {name: check["ok"] for name, check in checks.items()} == {
            "database": True,
            "broker": True,
            "storage": True,
        }


def test_a_busy_data_source_is_409_on_every_web_process(cluster):
    """No worker runs yet, so the first upload stays queued and its data source busy."""
    assert all(m.worker is None for m in cluster.machines)
    token, task = cluster.setup["supplier"], cluster.setup["sources"]["file"][2]["task"]
    web_a, web_b = cluster.web_of(0), cluster.web_of(1)
    report = pdf(pages=1)
    first = direct_upload(web_a.url, token, task, "rapport.pdf", report, key="busy-1")
    assert first.status_code == 201, first.text

    busy_b = direct_upload(web_b.url, token, task, "later.pdf", pdf(pages=2), key="busy-2")
    with httpx.Client(verify=tls(cluster)) as http:
        busy_nginx = http.post(
            f"{cluster.public_url}/api/v1/sync_tasks/{task}/upload/",
            headers={"Authorization": f"Token {token}"},
            files={"upload_file": ("later.pdf", pdf(pages=2))},
        )
    for busy in (busy_b, busy_nginx):
        assert busy.status_code == 409, busy.text
        assert int(busy.headers["Retry-After"]) > 0
        body = busy.json()
        assert body["code"] == "data_source_busy"
        running = body["running_upload"]
        assert (running["id"], running["status"], running["started_at"]) == (
            first.json()["id"],
            "queued",
            None,
        )
        assert running["received_at"]

    replay = direct_upload(web_b.url, token, task, "rapport.pdf", report, key="busy-1")
    assert replay.status_code == 201, replay.text
    assert replay.json()["id"] == first.json()["id"]
    assert replay.headers["Idempotent-Replayed"] == "true"


class PauseHalfway:
    """A progress callback that holds the first attempt of an upload half-way through its body
    until the test has killed the web process receiving it."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.resume = threading.Event()

    def __call__(self, sent: int, total: int | None) -> None:
        if not self.reached.is_set() and total and sent >= total // 2:
            self.reached.set()
            self.resume.wait(60)


def run(cluster: Cluster, plan: Plan, progress=None) -> list[tuple[int, int, dict]]:
    """Upload ``plan``'s files one after the other, each waited for; returns for each its
    upload id, how many requests the client needed, and its final status."""
    done = []
    with supplier(cluster) as client:
        for name, content in plan.uploads:
            result = client.upload(plan.task, io.BytesIO(content), filename=name, progress=progress)
            status = client.wait(result, timeout=WAIT, raise_on_failure=False)
            done.append((result.id, result.attempts, status.raw))
    return done


def test_uploads_of_every_kind_through_nginx_survive_a_killed_web_and_worker(workers, tmp_path):
    cluster = workers
    sources = cluster.setup["sources"]

    def ids(kind: str, i: int) -> tuple[int, int]:
        return sources[kind][i]["task"], sources[kind][i]["data_source"]

    plans = [
        timeseries_plan(*ids("timeseries", 0), "P1"),
        timeseries_plan(*ids("timeseries", 1), "P2"),
        vector_plan(*ids("vector", 0), "shapefile", tmp_path / "shp", count=4),
        vector_plan(*ids("vector", 1), "geojson", tmp_path / "geojson", count=3),
        raster_plan(*ids("raster", 0), "evaporation", tmp_path / "evaporation", base=0),
        raster_plan(*ids("raster", 1), "rain", tmp_path / "rain", base=5),
        photos_plan(*ids("file", 0)),
        documents_plan(*ids("file", 1)),
    ]
    big = Plan(
        "timeseries",
        *ids("timeseries", 2),
        [("discharge.csv", big_timeseries("Q1", BIG_MINUTES))],
        big_check(BIG_MINUTES),
    )
    locked = vector_plan(*ids("vector", 2), "geojson", tmp_path / "locked", count=5)
    pause = PauseHalfway()

    with ThreadPoolExecutor(max_workers=len(plans) + 1) as pool:
        running = {plan: pool.submit(run, cluster, plan) for plan in plans}
        running[big] = pool.submit(run, cluster, big, pause)
        killed_web = kill_the_web_process_receiving(cluster, pause)
        outcomes = {locked: kill_the_worker_processing(cluster, locked)}
        outcomes |= {plan: future.result() for plan, future in running.items()}

    assert not killed_web.alive
    [(big_id, requests, big_status)] = outcomes[big]
    assert requests >= 2, "the big upload's first request should have broken with its web process"
    # Links follow nginx's X-Forwarded-Proto and -Host (SLUIS_BEHIND_PROXY); nginx's $host has no
    # port, which is right for the documented listen 443.
    assert big_status["status_url"] == f"https://{HOST}/api/v1/uploads/{big_id}/"
    [_, (_, _, relocked)] = outcomes[locked]
    assert relocked["attempts"] == 2, relocked

    with consumer(cluster) as api:
        for plan, done in outcomes.items():
            assert [status["status"] for _, _, status in done] == ["succeeded"] * len(done), done
            plan.check(api, plan.data_source)
    for plan, done in outcomes.items():  # each upload stored once, whatever broke on the way
        assert upload_history(cluster, plan.task) == sorted(i for i, _, _ in done)
    for plan in plans[:2]:  # the revised day overwrote, the new day appended
        counts = outcomes[plan][1][2]["counts"]
        assert (counts["inserted"], counts["updated"]) == (24, 24), counts
    wait_for(lambda: nothing_left_to_process(cluster), WAIT, "every upload to be processed")
    swept_after_the_kill(cluster, killed_web)


def swept_after_the_kill(cluster: Cluster, web) -> None:
    """The killed web process left the big upload's partial body in its machine's spool
    folder; ``sluis upload sweep`` (hourly on every web machine) removes it. With no upload in
    flight any more, an age guard of 0 minutes is safe."""
    machine = next(m for m in cluster.machines if m.web is web)
    assert machine.largest_spool() > 0
    out = cluster.sluis("upload", "sweep", "--older-than-minutes", "0", "--json", machine=machine)
    assert json.loads(out)["spool_files"] >= 1
    assert machine.largest_spool() == 0 and not any(machine.spool_dir.iterdir())


def kill_the_web_process_receiving(cluster: Cluster, pause: PauseHalfway):
    """SIGKILL the web process that is receiving the big upload's body (held half-way)."""
    assert pause.reached.wait(60), "the big upload never started"
    try:
        machine = wait_for(
            lambda: next((m for m in cluster.machines if m.largest_spool() > 512 * 1024), None),
            30,
            "the big upload's spool file",
        )
        machine.web.kill()
    finally:
        pause.resume.set()
    return machine.web


def kill_the_worker_processing(cluster: Cluster, plan: Plan) -> list[tuple[int, int, dict]]:
    """Upload a replacement for a vector data source while the test holds a lock on its
    current version: the worker stages every feature and then waits at the switch. SIGKILL
    that worker there; the other one must take the upload over once its lease expires."""
    (first_name, first), (second_name, second) = plan.uploads
    with supplier(cluster) as client:
        accepted = client.upload(plan.task, io.BytesIO(first), filename=first_name)
        outcomes = [(accepted.id, accepted.attempts, client.wait(accepted).raw)]
        with psycopg.connect(cluster.database_url) as holder:
            holder.execute(
                f"SELECT id FROM {VectorVersion._meta.db_table} "
                "WHERE data_source_id = %s AND state = %s FOR UPDATE",
                [plan.data_source, VersionState.CURRENT.value],
            )
            result = client.upload(plan.task, io.BytesIO(second), filename=second_name)
            wait_for(lambda: blocked_by(cluster, holder.info.backend_pid), 60, "the switch")
            machine = next(m for m in cluster.machines if m.working_on(result.id))
            machine.worker.kill()
            holder.rollback()
        status = client.wait(result, timeout=WAIT, raise_on_failure=False)
        outcomes.append((result.id, result.attempts, status.raw))
    assert not machine.worker.alive
    return outcomes


def upload_history(cluster: Cluster, task: int) -> list[int]:
    """The ids of every upload of the sync task (``GET /sync_tasks/{id}/uploads/``)."""
    response = httpx.get(
        f"{cluster.public_url}/api/v1/sync_tasks/{task}/uploads/",
        params={"page_size": 50},
        headers={"Authorization": f"Token {cluster.setup['supplier']}"},
        verify=tls(cluster),
    )
    assert response.status_code == 200, response.text
    return sorted(upload["id"] for upload in response.json()["results"])


def blocked_by(cluster: Cluster, pid: int) -> bool:
    """Whether a database session waits for a lock that session ``pid`` holds."""
    with psycopg.connect(cluster.database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid]
        ).fetchone()
    return bool(row and row[0])


def nothing_left_to_process(cluster: Cluster) -> bool:
    """No upload of the whole installation is queued, processing or failed (``/metrics/``)."""
    response = httpx.get(
        f"{cluster.public_url}/api/v1/metrics/",
        headers={"Authorization": f"Bearer {SECRET}"},
        verify=tls(cluster),
    )
    assert response.status_code == 200, response.text
    left = 0
    for line in response.text.splitlines():
        if line.startswith("sluis_uploads{") and 'status="succeeded"' not in line:
            left += float(line.rsplit(" ", 1)[1])
    return left == 0
