"""``sluis-upload upload`` and ``status`` against a real Sluis: output and exit codes."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from sluis.uploads.models import Upload
from sluis.uploads.storage import object_storage
from sluis_client.cli import main
from tests.client.helpers import GOOD_CSV, busy_upload


def test_status_of_a_running_upload_exits_0(run, levels):
    stuck = busy_upload(levels)
    code, out, _ = run("status", stuck.pk)
    assert code == 0 and f"Upload {stuck.pk} processing" in out


def test_a_busy_data_source_exits_6_naming_the_running_upload(run, levels, tmp_path):
    running = busy_upload(levels)
    path = tmp_path / "levels.csv"
    path.write_text(GOOD_CSV)
    code, _, err = run("upload", levels.sync_task.pk, path, "--attempts", "1")
    assert code == 6
    assert "409" in err and f'"id": {running.pk}' in err


def test_a_forbidden_upload_exits_3(sluis_url, consumer, levels, tmp_path, capsys):
    path = tmp_path / "levels.csv"
    path.write_text(GOOD_CSV)
    code = main(["upload", str(levels.sync_task.pk), str(path), "--url", sluis_url])
    assert code == 3
    assert "Data Supplier" in capsys.readouterr().err


def test_zip_sends_one_archive_that_keeps_every_name(run, make_source, tmp_path):
    task = make_source(name="Field notes", kind="file").sync_task
    names = ["dyke #3 (north).txt", "sluis møller.txt"]
    for name in names:
        (tmp_path / name).write_text(f"notes of {name}\n")
    code, _, err = run("upload", task.pk, *(tmp_path / n for n in names), "--zip")
    assert code == 0, err
    upload = Upload.objects.get()
    assert upload.original_filename == "upload.zip"
    with object_storage().open(upload.storage_key) as stored, zipfile.ZipFile(stored) as zf:
        assert sorted(zf.namelist()) == sorted(names)


def test_a_windows_style_path_sends_only_the_file_name(sluis_url, supplier, levels, tmp_path):
    # On POSIX this is one file whose name is a whole Windows path: the client must still send
    # only the last component, exactly as it does for a real C:\ path on Windows.
    windows_path = r"C:\Users\supplier\Documents\levels#2024.csv"
    (tmp_path / windows_path).write_text(GOOD_CSV)
    script = Path(sys.executable).with_name("sluis-upload")
    done = subprocess.run(
        [script, "upload", str(levels.sync_task.pk), windows_path, "--json", "--url", sluis_url],
        env={"SLUIS_TOKEN": supplier.token, "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    upload = json.loads(done.stdout)["upload"]
    assert upload["original_filename"] == "levels#2024.csv"
    assert upload["filename"] == "levels2024.csv"


def test_wildcards_are_expanded_as_windows_shells_do_not(run, levels, tmp_path, monkeypatch):
    (tmp_path / "day1.csv").write_text(GOOD_CSV)
    monkeypatch.chdir(tmp_path)
    code, _, err = run("upload", levels.sync_task.pk, "*.csv")
    assert code == 0, err
    assert Upload.objects.get().original_filename == "day1.csv"
