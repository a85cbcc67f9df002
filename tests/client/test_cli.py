"""``sluis-upload``: what a supplier's terminal or scheduled job sees, and the exit codes."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sluis_client.cli import main


@pytest.fixture
def levels(make_source):
    make_source(name="Water levels")
    make_source(name="Rain gauges")
    make_source(name="Closed archive", uploadable=False)


def test_tasks_prints_a_table_of_the_uploadable_tasks(sluis_url, supplier, levels, capsys):
    code = main(["tasks", "--uploadable", "--url", sluis_url, "--token", supplier.token])
    out = capsys.readouterr().out
    assert code == 0
    assert "2 sync task(s)" in out
    assert "Water levels" in out and "Rain gauges" in out and "Closed archive" not in out
    assert "Waterboard North" in out


def test_tasks_search_with_token_and_url_from_the_environment(
    sluis_url, supplier, levels, capsys, monkeypatch
):
    monkeypatch.setenv("SLUIS_URL", sluis_url)
    monkeypatch.setenv("SLUIS_TOKEN", supplier.token)
    assert main(["tasks", "--search", "rain", "--json"]) == 0
    tasks = json.loads(capsys.readouterr().out)
    assert [task["name"] for task in tasks] == ["Rain gauges"]


def test_url_and_token_come_from_the_config_file(sluis_url, supplier, levels, capsys, tmp_path):
    config = tmp_path / "xdg-config" / "sluis" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'url = "{sluis_url}"\ntoken = "{supplier.token}"\n')
    assert main(["tasks", "--uploadable", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_a_wrong_token_exits_3_with_the_servers_reason(sluis_url, levels, capsys):
    code = main(["tasks", "--url", sluis_url, "--token", "f" * 40])
    err = capsys.readouterr().err
    assert code == 3
    assert "invalid_token" in err and "403" in err and "f" * 40 not in err


def test_an_unknown_task_exits_4(sluis_url, supplier, tmp_path, capsys):
    data = tmp_path / "levels.csv"
    data.write_text("location,parameter,timestamp,value\n")
    code = main(["upload", "999999", str(data), "--url", sluis_url, "--token", supplier.token])
    assert code == 4
    assert "sluis-upload tasks --uploadable" in capsys.readouterr().err


def test_no_url_is_a_usage_error_exit_2(capsys):
    assert main(["tasks"]) == 2
    assert "SLUIS_URL" in capsys.readouterr().err


def test_a_missing_file_exits_2_before_anything_is_sent(sluis_url, supplier, tmp_path, capsys):
    code = main(["upload", "1", str(tmp_path / "nope.csv"), "--url", sluis_url])
    assert code == 2
    assert "nope.csv" in capsys.readouterr().err


def test_a_folder_needs_zip(sluis_url, tmp_path, capsys):
    assert main(["upload", "1", str(tmp_path), "--url", sluis_url]) == 2
    assert "--zip" in capsys.readouterr().err


def test_an_unreachable_server_exits_10(capsys):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = main(["tasks", "--url", f"http://127.0.0.1:{port}", "--attempts", "2"])
    assert code == 10
    assert "Could not complete the request" in capsys.readouterr().err


def test_the_installed_console_script_runs(sluis_url, supplier, levels):
    script = Path(sys.executable).with_name("sluis-upload")
    done = subprocess.run(
        [script, "tasks", "--uploadable", "--json", "--url", sluis_url],
        env={"SLUIS_TOKEN": supplier.token, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(t["name"] for t in json.loads(done.stdout)) == ["Rain gauges", "Water levels"]
