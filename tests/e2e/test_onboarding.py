"""docs/onboarding.md, followed literally: every ``sh`` block runs, in order, in one shell on a
fresh data folder against a real ``sluis serve`` (started where the guide starts it)."""

import json
import os
import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.uploads.served import BIN, _wait_until_up, database_url, free_port, postgres_drop

pytestmark = pytest.mark.services

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "onboarding.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.S | re.M)


def guide_blocks() -> list[str]:
    return BLOCK.findall(GUIDE.read_text())


def _script(blocks: list[str]) -> str:
    """The blocks after ``sluis serve``, each followed by the time it ended (for the figure)."""
    lines = ["set -euo pipefail"]
    for number, block in enumerate(blocks):
        lines += [block, f'echo "{number} $(date +%s.%N)" >> .block-times']
    return "\n".join(lines)


def test_the_guide_has_one_serve_block_and_shell_blocks_only():
    blocks = guide_blocks()
    assert [b.strip() for b in blocks].count("sluis serve") == 1 and len(blocks) > 10


def test_following_the_onboarding_guide_gives_succeeded_uploads(tmp_path):
    data_dir, work = tmp_path / "sluis-data", tmp_path / "work"
    data_dir.mkdir()
    work.mkdir()
    db_url, db_name = database_url(data_dir)
    port = free_port()
    env = {**os.environ, "SLUIS_DATA_DIR": str(data_dir), "SLUIS_DATABASE_URL": db_url,
           "SLUIS_PORT": str(port), "SLUIS_SECRET_KEY": "onboarding-test",
           "PATH": f"{BIN}:{os.environ['PATH']}"}  # fmt: skip
    for name in ("DJANGO_SETTINGS_MODULE", "SLUIS_URL", "SLUIS_TOKEN", "SLUIS_BROKER_URL"):
        env.pop(name, None)
    blocks = guide_blocks()
    serve_at = [b.strip() for b in blocks].index("sluis serve")
    before, after = blocks[:serve_at], blocks[serve_at + 1 :]
    subprocess.run(["bash", "-c", _script(before)], cwd=work, env=env, check=True)
    started = time.time()
    server = subprocess.Popen(["bash", "-c", blocks[serve_at]], cwd=work, env=env,
                              stdout=(tmp_path / "serve.log").open("w"),
                              stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", server, tmp_path / "serve.log")
        done = subprocess.run(["bash", "-c", _script(after)], cwd=work, env=env,
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
        _check_outcome(work, port, done.stdout)
        first_upload_block = next(i for i, b in enumerate(after) if "status" in b and "--wait" in b)
        ended = _block_times(work)[first_upload_block]
        print(f"server start to first succeeded upload: {ended - started:.1f} s")
    finally:
        os.killpg(server.pid, 2)
        server.wait(timeout=90)
        if db_name:
            postgres_drop(db_name)


def _block_times(work: Path) -> dict[int, float]:
    rows = (line.split() for line in (work / ".block-times").read_text().splitlines())
    return {int(n): float(t) for n, t in rows}


def _check_outcome(work: Path, port: int, out: str) -> None:
    api = f"http://127.0.0.1:{port}/api/v1"
    anna = json.loads((work / "anna.json").read_text())
    bram = json.loads((work / "bram.json").read_text())
    anna_upload = json.loads((work / "upload.json").read_text())
    bram_upload = json.loads((work / "bram-upload.json").read_text())
    assert (anna_upload["uploader"], bram_upload["uploader"]) == ("Anna de Vries", "bram")
    assert f"Upload {anna_upload['id']} succeeded: 2 inserted" in out  # sluis-upload --wait
    assert f"Upload {bram_upload['id']} succeeded: 1 inserted" in out
    status = httpx.get(f"{api}/uploads/{bram_upload['id']}/", params={"token": bram["token"]})
    assert status.json()["status"] == "succeeded", status.text
    assert "2024-03-31 00:30:00+00,1.25\n2024-03-31 01:30:00+00,1.31" in out
    assert "\n403\n" in out  # the rotated-away token
    old = httpx.get(f"{api}/sync_tasks/", params={"token": anna["token"]})
    assert old.status_code == 403
