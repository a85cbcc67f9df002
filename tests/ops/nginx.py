"""A real nginx running the shipped deploy/nginx/sluis.conf with only the edits
docs/operations.md asks of an operator: listen ports, server name, certificate, upstream servers
(and, for the test, log and temp folders in a temporary directory)."""

import socket
import subprocess
import time
from pathlib import Path

DEPLOY_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "sluis.conf"
UPSTREAM_LINE = "    server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_certificate(folder: Path, name: str = "localhost") -> tuple[Path, Path]:
    """``sluis.crt`` and ``sluis.key`` for ``name`` (also valid for 127.0.0.1), one day."""
    cert, key = folder / "sluis.crt", folder / "sluis.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name},IP:127.0.0.1",
         "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def site_config(
    tmp: Path,
    *,
    http_port: int,
    https_port: int,
    upstreams: list[str],
    server_name: str = "_",
) -> str:
    """The shipped file with only addresses, names and paths swapped for test ones.

    ``upstreams`` (``host:port``) replace the one ``server`` line of the ``upstream`` block, one
    line each with the same options, as "To add app machines" in docs/operations.md says.
    """
    text = DEPLOY_CONF.read_text()
    servers = "".join(UPSTREAM_LINE.replace("127.0.0.1:8000", u) for u in upstreams)
    swaps = {
        UPSTREAM_LINE: servers,
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server_name _;  # EDIT": f"server_name {server_name};  # EDIT",
        "/etc/ssl/certs/sluis.crt": str(tmp / "sluis.crt"),
        "/etc/ssl/private/sluis.key": str(tmp / "sluis.key"),
        "/var/log/nginx/": f"{tmp}/",
    }
    for old, new in swaps.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def main_config(tmp: Path) -> str:
    temp = "\n".join(
        f"    {kind}_temp_path {tmp}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off;\nworker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/main-error.log;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\n{temp}\n    include {tmp}/sluis.conf;\n}}\n"
    )


def nginx_start(tmp: Path, site: str, https_port: int) -> subprocess.Popen:
    """Write the configuration into ``tmp``, check it with ``nginx -t`` and start nginx."""
    (tmp / "sluis.conf").write_text(site)
    (tmp / "nginx.conf").write_text(main_config(tmp))
    command = ["nginx", "-p", str(tmp), "-c", str(tmp / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stderr=(tmp / "nginx-stderr.log").open("w"))
    wait_for_port(https_port, process, tmp / "nginx-stderr.log")
    return process


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {log.read_text()}") from None
            time.sleep(0.05)  # polling with a deadline
