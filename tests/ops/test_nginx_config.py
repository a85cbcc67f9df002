"""deploy/nginx/sluis.conf: valid for `nginx -t`, and a real nginx running it proxies with
X-Forwarded-* headers, answers an oversized upload with Sluis's JSON 413 and logs no tokens."""

import http.client
import json
import re
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.ops.nginx import (
    DEPLOY_CONF,
    free_port,
    nginx_start,
    self_signed_certificate,
    site_config,
)


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


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx")
    self_signed_certificate(tmp)
    backend = ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    ports = {"http_port": free_port(), "https_port": free_port()}
    upstream = f"127.0.0.1:{backend.server_address[1]}"
    process = nginx_start(tmp, site_config(tmp, upstreams=[upstream], **ports), ports["https_port"])
    yield {"tmp": tmp, **ports}
    process.terminate()
    process.wait(timeout=10)
    backend.shutdown()


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
