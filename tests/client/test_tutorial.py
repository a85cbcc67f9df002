"""Every snippet of docs/tutorials/uploading-with-python.md runs against a live Sluis.

Python blocks run in order in one namespace (as a reader pasting them into one script would);
each console block runs its ``$`` lines in a fresh bash with ``SLUIS_URL``, ``SLUIS_TOKEN`` and
``TASK_ID`` set by the test; the text block is the ``levels.csv`` the snippets upload.
"""

import gc
import os
import re
import subprocess
import sys
from pathlib import Path

from sluis.uploads.models import Upload

DOC = Path(__file__).resolve().parents[2] / "docs" / "tutorials" / "uploading-with-python.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks():
    return FENCE.findall(DOC.read_text(encoding="utf-8"))


def _write_data_files(folder: Path, levels_csv: str) -> None:
    (folder / "levels.csv").write_text(levels_csv)
    (folder / "levels-broken.csv").write_text(levels_csv.replace("1.30", "one point three"))
    (folder / "levels#north.csv").write_text(levels_csv.replace("gauge-", "north-"))
    (folder / "levels#south.csv").write_text(levels_csv.replace("gauge-", "south-"))


def _run_console(block: str, env: dict[str, str], cwd: Path) -> str:
    commands = [line[2:] for line in block.splitlines() if line.startswith("$ ")]
    assert commands, f"a console block without $ lines:\n{block}"
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", "\n".join(commands)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{commands}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_every_snippet_of_the_tutorial_runs(
    live_server, supplier, make_source, tmp_path, monkeypatch, capsys, processing
):
    task = make_source(name="Water levels", kind="timeseries").sync_task
    blocks = _blocks()
    assert [lang for lang, _ in blocks].count("python") >= 5
    _write_data_files(tmp_path, next(body for lang, body in blocks if lang == "text"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLUIS_URL", live_server.url)
    monkeypatch.setenv("SLUIS_TOKEN", supplier.token)
    env = {
        **os.environ,
        "TASK_ID": str(task.pk),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    namespace: dict = {"__name__": "tutorial"}
    console_output = []
    try:
        for number, (lang, body) in enumerate(blocks):
            if lang == "python":
                exec(compile(body, f"{DOC.name} block {number}", "exec"), namespace)
            elif lang == "console":
                console_output.append(_run_console(body, env, tmp_path))
    finally:  # end the "script" as its process would: drop every object, closing its sockets
        namespace.clear()
        gc.collect()
    printed = capsys.readouterr().out

    assert "succeeded {'inserted': 3" in printed  # requests: the polled status with counts
    assert "failed: " in printed and "one point three" in printed  # upload_and_report
    assert "Water levels" in console_output[1]
    assert "succeeded" in console_output[2] and "exit code 9" in console_output[4]
    uploads = Upload.objects.filter(data_source=task.data_source)
    assert uploads.filter(status="failed").count() == 2
    assert not uploads.exclude(status__in=["succeeded", "failed"]).exists()
