"""``sluis serve`` opens no gunicorn control socket: two servers of one user on one machine
would share its path, and Sluis is managed through its supervisor, not through that socket."""

import httpx
import pytest

from tests.uploads.served import serve, stop

pytestmark = pytest.mark.services


def test_serve_opens_no_gunicorn_control_socket(tmp_path):
    runtime = tmp_path / "run"  # gunicorn's default place for the socket is $XDG_RUNTIME_DIR
    runtime.mkdir()
    served, db_name = serve(tmp_path, XDG_RUNTIME_DIR=str(runtime), HOME=str(tmp_path))
    try:
        assert httpx.get(f"{served.url}/api/v1/health/").status_code == 200
        assert list(runtime.iterdir()) == []
        assert not (tmp_path / ".gunicorn").exists()
        assert "control socket" not in (tmp_path / "server.log").read_text().lower()
    finally:
        stop(served, db_name)
