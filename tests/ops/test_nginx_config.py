"""deploy/nginx/sluis.conf: valid for `nginx -t`, and a real nginx running it proxies with
X-Forwarded-* headers, answers an oversized upload with Sluis's JSON 413 and logs no tokens."""

import http.client
import json
import re
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DEPLOY_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "sluis.conf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Backend(BaseHTTPRequestHandler):
    """Stands in for `sluis serve`: records the headers it got, answers JSON."""

    seen: list[dict] = []

    def do_GET(self):
        Backend.seen.append(dict(self.headers))
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def site_config(tmp: Path, *, http_port: int, https_port: int, backend_port: int) -> str:
    """The shipped file with only addresses and paths swapped for test ones."""
    text = DEPLOY_CONF.read_text()
    swaps = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server 127.0.0.1:8000": f"server 127.0.0.1:{backend_port}",
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
        f"events {{ worker_connections 64; }}\n"
        f"http {{\n{temp}\n    include {tmp}/sluis.conf;\n}}\n"
    )


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", tmp / "sluis.key", "-out", tmp / "sluis.crt"],
        check=True, capture_output=True,
    )  # fmt: skip
    backend = ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    ports = {"http_port": free_port(), "https_port": free_port()}
    (tmp / "sluis.conf").write_text(
        site_config(tmp, backend_port=backend.server_address[1], **ports)
    )
    (tmp / "nginx.conf").write_text(main_config(tmp))
    command = ["nginx", "-p", str(tmp), "-c", str(tmp / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    wait_for_port(ports["https_port"], process)
    yield {"tmp": tmp, **ports}
    process.terminate()
    process.wait(timeout=10)
    backend.shutdown()


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {process.stderr.read()}") from None
            time.sleep(0.05)  # polling with a deadline


def https(nginx) -> http.client.HTTPSConnection:
    context = ssl._create_unverified_context()
    return http.client.HTTPSConnection("127.0.0.1", nginx["https_port"], context=context)


def test_nginx_accepts_the_shipped_configuration(nginx):
    """The fixture ran `nginx -t` on it; a running nginx answers on both ports."""
    conn = http.client.HTTPConnection("127.0.0.1", nginx["http_port"])
    conn.request("GET", "/api/v1/health/")
    response = conn.getresponse()
    assert response.status == 301
    assert response.getheader("Location").startswith("https://")


def test_nginx_proxies_with_forwarded_headers(nginx):
    Backend.seen.clear()
    conn = https(nginx)
    conn.request("GET", "/api/v1/health/", headers={"Host": "sluis.example.org"})
    response = conn.getresponse()
    assert response.status == 200
    assert json.loads(response.read()) == {"path": "/api/v1/health/"}
    headers = Backend.seen[-1]
    assert headers["X-Forwarded-Proto"] == "https"
    assert headers["X-Forwarded-Host"] == "sluis.example.org"
    assert headers["X-Forwarded-For"] == "127.0.0.1"


def test_nginx_passes_its_request_id_to_sluis_and_logs_it(nginx):
    Backend.seen.clear()
    conn = https(nginx)
    conn.request("GET", "/api/v1/health/", headers={"X-Request-ID": "from-the-client"})
    assert conn.getresponse().status == 200
    request_id = Backend.seen[-1]["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, not the client's
    log = nginx["tmp"] / "sluis-access.log"
    deadline = time.monotonic() + 5
    while request_id not in log.read_text():
        assert time.monotonic() < deadline, "the request id was not logged"
        time.sleep(0.05)  # polling with a deadline


def test_an_oversized_upload_gets_sluis_json_413_before_the_body_is_sent(nginx):
    conn = https(nginx)
    conn.putrequest("POST", "/api/v1/sync_tasks/1/upload/")
    conn.putheader("Content-Type", "multipart/form-data; boundary=x")
    conn.putheader("Content-Length", str(502 * 1024 * 1024))
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 413
    assert response.getheader("Content-Type") == "application/json"
    assert json.loads(response.read())["code"] == "upload_too_large"


def test_the_access_log_has_the_path_but_never_the_token(nginx):
    conn = https(nginx)
    conn.request("GET", "/api/v1/sync_tasks/?token=s3cret-token-value&page=2")
    assert conn.getresponse().status == 200
    log = nginx["tmp"] / "sluis-access.log"
    deadline = time.monotonic() + 5
    while "/api/v1/sync_tasks/" not in log.read_text():
        assert time.monotonic() < deadline, "the request was not logged"
        time.sleep(0.05)  # polling with a deadline
    assert "s3cret-token-value" not in log.read_text()


def test_the_compose_nginx_config_differs_from_the_shipped_one_only_in_the_upstream():
    def body(path: Path) -> list[str]:
        lines = path.read_text().splitlines()
        return [line for line in lines if not line.lstrip().startswith("#")]

    shipped, compose = body(DEPLOY_CONF), body(DEPLOY_CONF.with_name("compose.conf"))
    differences = [(a, b) for a, b in zip(shipped, compose, strict=True) if a != b]
    assert [(a.strip(), b.strip()) for a, b in differences] == [
        (
            "server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;",
            "server web:8000 max_fails=3 fail_timeout=10s;",
        )
    ]


def test_the_compose_file_runs_web_worker_and_the_services_on_one_image():
    import yaml

    compose = yaml.safe_load((DEPLOY_CONF.parents[1] / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "minio", "bucket", "migrate", "web", "worker", "nginx"} == set(
        services
    )
    assert services["web"]["command"][:2] == ["sluis", "serve"]
    assert services["worker"]["command"] == ["sluis", "worker"]
    assert services["web"]["environment"] == services["worker"]["environment"]
    assert services["worker"]["environment"]["SLUIS_BROKER_URL"].startswith("redis://")
