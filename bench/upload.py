"""Benchmark: receive a 500 MB multipart upload on loopback, Sluis vs nginx ``PUT``.

Both servers are started by this script in the same run and fed the same file by the same
client (curl, from the page cache): Sluis through ``sluis serve`` and the reference upload URL
(``curl -F upload_file=@...``), nginx through ``dav_methods PUT`` (``curl -T``). Prints MB/s from
first byte to response for each, their ratio, and the peak RSS growth of the Sluis server.

    .venv/bin/python bench/upload.py [--size-mb 500] [--runs 3]

Needs ``curl`` and ``nginx`` (Debian ``nginx-light``); the script installs nginx-light with
apt-get when run as root, or says what is missing.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from ports import free_port, wait_for_port

BIN = Path(sys.executable).parent
MB = 1024 * 1024


def ensure_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("nginx is missing: install it with `apt-get install nginx-light` (as root).")
    print("installing nginx-light with apt-get ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], check=True, env=env)
    return "/usr/sbin/nginx"


def make_dataset(path: Path, size: int) -> None:
    """A CSV-looking file (text, so any content sniffing accepts it) of exactly ``size`` bytes."""
    line = b"2024-01-01T00:00:00Z,12.345678,station-0001,water_level_m\n"
    block = line * (MB // len(line) + 1)
    with path.open("wb") as out:
        out.write(b"timestamp,value,location,parameter\n")
        remaining = size - out.tell()
        while remaining > 0:
            piece = block[: min(len(block), remaining)]
            out.write(piece)
            remaining -= len(piece)


def curl(args: list[str]) -> tuple[int, float, str]:
    """Run curl; return HTTP status, seconds (total transfer time) and the response body."""
    done = subprocess.run(
        ["curl", "-s", "-o", "-", "-w", "\n%{http_code} %{time_total}", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    body, _, tail = done.stdout.rpartition("\n")
    status, seconds = tail.split()
    return int(status), float(seconds), body


class RssSampler:
    """Samples the summed VmRSS of a process and its children every 20 ms."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def current(self) -> int:
        total = 0
        for pid in [self.pid, *self._children()]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        return total

    def _children(self) -> list[int]:
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.current())
            self._stop.wait(0.02)

    def __enter__(self):
        self.baseline = self.current()
        self.peak = self.baseline
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def start_sluis(tmp: Path, workers: int, threads: int):
    env = {
        **os.environ,
        "SLUIS_DATA_DIR": str(tmp / "sluis"),
        "SLUIS_LOG_LEVEL": "WARNING",
        "SLUIS_SECRET_KEY": "bench",
    }
    env.pop("SLUIS_DATABASE_URL", None)
    demo = subprocess.run(
        [BIN / "sluis", "demo", "--json"], env=env, capture_output=True, text=True, check=True
    )
    setup = json.loads(demo.stdout)
    port = free_port()
    log = (tmp / "sluis.log").open("w")
    command = [BIN / "sluis", "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--threads", str(threads)]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_for_port(port)
    return process, port, setup, env


def start_nginx(nginx: str, tmp: Path):
    root = tmp / "nginx"
    (root / "www").mkdir(parents=True)
    (root / "body").mkdir()
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
worker_processes 1;
user root;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_max_body_size 0;
    client_body_temp_path {root}/body;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        location / {{ dav_methods PUT; create_full_put_path on; }}
    }}
}}
"""
    )
    process = subprocess.Popen([nginx, "-c", str(conf), "-p", str(root)])
    wait_for_port(port)
    return process, port


def run_sluis(dataset: Path, port: int, setup: dict, env: dict, sampler_pid: int):
    token = setup["users"]["supplier"]["token"]
    task = setup["sync_tasks"]["file"]
    url = f"http://127.0.0.1:{port}/api/v1/sync_tasks/{task}/upload/?token={token}"
    with RssSampler(sampler_pid) as rss:
        status, seconds, body = curl(["-F", f"upload_file=@{dataset}", url])
    if status != 201:
        raise RuntimeError(f"Sluis answered {status}: {body[:300]}")
    upload_id = json.loads(body)["id"]
    # Free the data source for the next run (processing is not part of this benchmark).
    subprocess.run(
        [BIN / "sluis", "upload", "fail", str(upload_id), "--reason", "bench"],
        env=env,
        capture_output=True,
        check=True,
    )
    return seconds, rss.peak - rss.baseline


def run_nginx(dataset: Path, port: int, run: int) -> float:
    status, seconds, body = curl(["-T", str(dataset), f"http://127.0.0.1:{port}/put-{run}.csv"])
    if status not in (201, 204):
        raise RuntimeError(f"nginx answered {status}: {body[:300]}")
    return seconds


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("curl"):
        sys.exit("curl is missing: install it with `apt-get install curl`.")
    nginx = ensure_nginx()
    with tempfile.TemporaryDirectory(prefix="sluis-bench-") as folder:
        tmp = Path(folder)
        dataset = tmp / "dataset.csv"
        size = args.size_mb * MB
        make_dataset(dataset, size)
        os.sync()  # no writeback of the fresh dataset competing with the servers' writes
        sluis, sluis_port, setup, env = start_sluis(tmp, args.workers, args.threads)
        web, web_port = start_nginx(nginx, tmp)
        try:
            warm = tmp / "warm.csv"
            make_dataset(warm, MB)
            run_sluis(warm, sluis_port, setup, env, sluis.pid)
            run_nginx(warm, web_port, "warm")
            sluis_times, nginx_times, growth = [], [], []
            for run in range(args.runs):
                seconds, rss = run_sluis(dataset, sluis_port, setup, env, sluis.pid)
                sluis_times.append(seconds)
                growth.append(rss)
                nginx_times.append(run_nginx(dataset, web_port, run))
                (tmp / "nginx" / "www" / f"put-{run}.csv").unlink()
        finally:
            stop(sluis)
            stop(web)
    report(size, sluis_times, nginx_times, growth, args)


def report(size, sluis_times, nginx_times, growth, args) -> None:
    sluis_rate = size / MB / statistics.median(sluis_times)
    nginx_rate = size / MB / statistics.median(nginx_times)
    print(f"upload of {size // MB} MiB on loopback, median of {args.runs} runs")
    print(f"  sluis serve (gunicorn gthread {args.workers}x{args.threads}): {sluis_rate:8.0f} MB/s")
    print(f"  nginx PUT (dav_methods):                    {nginx_rate:8.0f} MB/s")
    print(f"  ratio sluis / nginx:                        {sluis_rate / nginx_rate:8.2f}")
    print(f"  sluis server peak RSS growth:               {max(growth) / MB:8.1f} MiB")
    print("  runs (s): sluis", [round(t, 2) for t in sluis_times])
    print("            nginx", [round(t, 2) for t in nginx_times])


if __name__ == "__main__":
    main()
