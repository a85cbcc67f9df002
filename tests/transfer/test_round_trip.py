"""Export → import into another organization → the read-back API gives the same answers."""

import io
import json
import zipfile

import pytest

from sluis.catalog.models import DataSource
from sluis.cli import main
from sluis.transfer.services import source_export_file, source_import
from tests.transfer.conftest import readback

KINDS = ["timeseries", "vector", "raster", "file"]


def _round_trip(filled, other_org, tmp_path, kind):
    created = filled(kind)
    archive = tmp_path / f"{kind}.zip"
    exported = source_export_file(data_source_id=created.data_source.pk, path=archive)
    imported = source_import(path=archive, organization=other_org.name)
    copy = DataSource.objects.get(pk=imported["data_source"])
    return created.data_source, copy, exported, imported


@pytest.mark.parametrize("kind", KINDS)
def test_an_imported_copy_answers_like_the_original(
    api, admin_user, filled, other_org, tmp_path, kind
):
    original, copy, exported, imported = _round_trip(filled, other_org, tmp_path, kind)
    assert copy.owner == other_org and copy.kind == kind and copy.name == original.name
    assert exported["counts"] == imported["counts"] and any(exported["counts"].values())
    assert readback(api, admin_user, copy) == readback(api, admin_user, original)


def test_the_catalogue_entry_travels_with_the_data(filled, other_org, tmp_path):
    original, copy, _, imported = _round_trip(filled, other_org, tmp_path, "timeseries")
    fields = ("description", "private", "uploadable", "ingest_settings")
    assert [getattr(copy, f) for f in fields] == [getattr(original, f) for f in fields]
    task = copy.sync_tasks.get()
    assert task.pk == imported["sync_task"] and task.name == original.name and task.private


def test_the_archive_is_readable_without_sluis(filled, tmp_path):
    created = filled("timeseries")
    archive = tmp_path / "levels.zip"
    source_export_file(data_source_id=created.data_source.pk, path=archive)
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
        series = [json.loads(line) for line in opened.read("timeseries/series.jsonl").splitlines()]
        lock = next(s for s in series if s["location"] == "Lock A" and s["parameter"] == "level")
        events = opened.read(lock["events_file"]).decode()
    assert manifest["format"] == "sluis-data-source-export" and manifest["format_version"] == 1
    assert manifest["data_source"]["owner"] == "Waterboard North"
    assert manifest["counts"] == {"series": 3, "events": 5}
    assert {m["path"] for m in manifest["members"]} == {
        "timeseries/series.jsonl",
        *(s["events_file"] for s in series),
    }
    assert lock["unit"] == "m" and lock["event_count"] == 3
    assert events == (
        "timestamp,value,flag\n"
        "2024-01-01T00:00:00Z,1.5,\n"
        "2024-01-01T00:10:00.250000Z,-0.125,suspect\n"
        '2024-01-01T00:20:00Z,1e-07,"a,b"\n'
    )


def test_features_are_newline_delimited_geojson(filled, tmp_path):
    created = filled("vector")
    archive = tmp_path / "parcels.zip"
    source_export_file(data_source_id=created.data_source.pk, path=archive)
    with zipfile.ZipFile(archive) as opened:
        lines = opened.read("vector/features.geojsonl").decode().splitlines()
    features = [json.loads(line) for line in lines]
    assert [f["id"] for f in features] == ["p1", "p2", "p3"]
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [5.1, 52.1]}
    assert features[0]["properties"]["owner"] == "Ä"


@pytest.mark.django_db(transaction=True)  # the export's own read snapshot, not the test's
def test_the_cli_writes_and_reads_archives_by_path(
    capsys, filled, other_org, tmp_path, monkeypatch
):
    created = filled("file")
    archive = tmp_path / "photos.zip"
    assert (
        main(["source", "export", str(created.data_source.pk), "-o", str(archive), "--json"]) == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed["output"] == str(archive) and printed["counts"] == {"files": 3}
    code = main(
        ["source", "import", str(archive), "--org", other_org.name, "--name", "Copy", "--json"]
    )
    imported = json.loads(capsys.readouterr().out)
    assert code == 0 and imported["name"] == "Copy" and imported["counts"] == {"files": 3}
    assert DataSource.objects.get(pk=imported["data_source"]).sync_tasks.get().name == "Copy"


@pytest.mark.django_db(transaction=True)
def test_the_cli_streams_through_standard_output_and_input(
    capsysbinary, filled, other_org, monkeypatch
):
    created = filled("vector")
    assert main(["source", "export", str(created.data_source.pk), "--output", "-"]) == 0
    captured = capsysbinary.readouterr()
    assert captured.out.startswith(b"PK") and b"counts" in captured.err
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(captured.out)))
    assert main(["source", "import", "-", "--org", other_org.name]) == 0
    copy = DataSource.objects.get(owner=other_org)
    assert copy.vector_versions.get().feature_count == 3


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_data_source_round_trips(api, admin_user, make_source, other_org, tmp_path, kind):
    original = make_source(name=f"Empty {kind}", kind=kind).data_source
    archive = tmp_path / "empty.zip"
    source_export_file(data_source_id=original.pk, path=archive)
    imported = source_import(path=archive, organization=other_org.name)
    copy = DataSource.objects.get(pk=imported["data_source"])
    assert not any(imported["counts"].values())
    assert readback(api, admin_user, copy) == readback(api, admin_user, original)
