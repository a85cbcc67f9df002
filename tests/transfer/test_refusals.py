"""A bad archive is refused with a typed error and leaves nothing behind: no data source, no
sync task, no stored object. And export errors are just as clear."""

import hashlib
import json
import stat
import zipfile

import pytest

from sluis.catalog.models import DataSource, SyncTask
from sluis.cli import main
from sluis.transfer import errors
from sluis.transfer.services import source_export_file, source_import


def objects(location):
    return sorted(p for p in location.rglob("*") if p.is_file()) if location.exists() else []


@pytest.fixture
def exported(filled, tmp_path):
    """``exported(kind)``: the path of an export archive of a filled data source."""

    def export(kind="timeseries"):
        created = filled(kind)
        path = tmp_path / f"{kind}.zip"
        source_export_file(data_source_id=created.data_source.pk, path=path)
        return path

    return export


def rewrite(path, *, change=None, add=None, manifest=None, fix_checksums=False, info=None):
    """A copy of the archive with members changed or added, the manifest edited, and the
    manifest's checksums updated to match (a consistent forgery) or left as they were."""
    change, add = change or {}, add or {}
    with zipfile.ZipFile(path) as source:
        members = {i.filename: source.read(i) for i in source.infolist()}
    body = json.loads(members.pop("manifest.json"))
    for name, edit in change.items():
        members[name] = edit(members[name])
    members.update(add)
    if fix_checksums:
        body["members"] = [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in members.items()
        ]
    if manifest:
        manifest(body)
    target = path.with_name("changed-" + path.name)
    with zipfile.ZipFile(target, "w") as out:
        for name, data in members.items():
            out.writestr(info(name) if info else name, data)
        out.writestr("manifest.json", json.dumps(body))
    return target


@pytest.fixture
def refused(other_org, own_object_storage):
    """``refused(path, error)``: importing ``path`` raises ``error`` and changes nothing."""

    def check(path, error, **options):
        before = objects(own_object_storage)
        sources, tasks = DataSource.objects.count(), SyncTask.objects.count()
        with pytest.raises(error) as caught:
            source_import(path=path, organization=other_org.name, **options)
        assert (DataSource.objects.count(), SyncTask.objects.count()) == (sources, tasks)
        assert objects(own_object_storage) == before
        return caught.value

    return check


def test_a_truncated_archive_is_corrupt(exported, refused):
    path = exported()
    path.write_bytes(path.read_bytes()[:-200])
    assert refused(path, errors.ImportArchiveCorrupt).code == "import_archive_corrupt"


def test_a_file_that_is_no_zip_is_corrupt(refused, tmp_path):
    path = tmp_path / "levels.csv"
    path.write_text("location,parameter,timestamp,value\n")
    assert "not a readable ZIP" in refused(path, errors.ImportArchiveCorrupt).detail


def test_an_upload_zip_without_manifest_is_not_an_export(refused, tmp_path):
    path = tmp_path / "upload.zip"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("levels.csv", "location,parameter,timestamp,value\n")
    assert "no manifest.json" in refused(path, errors.ImportArchiveInvalid).detail


LAST_DATA = {
    "timeseries": "timeseries/events/000003.csv",
    "vector": "vector/features.geojsonl",
    "raster": "rasters/cogs/000002.tif",
    "file": "files/data/notes.txt",
}


@pytest.mark.parametrize("kind", LAST_DATA)
def test_a_tampered_member_is_a_checksum_mismatch_and_leaves_no_object(exported, refused, kind):
    """The member is changed after writing (its ZIP CRC updated, the manifest not), so
    objects saved before the mismatch is seen must be removed again."""
    path = rewrite(exported(kind), change={LAST_DATA[kind]: lambda data: data[:-1] + b"!"})
    error = refused(path, errors.ImportChecksumMismatch)
    assert error.code == "import_checksum_mismatch" and LAST_DATA[kind] in error.detail


def test_a_byte_flipped_in_place_is_a_checksum_mismatch(exported, refused):
    path = exported("file")
    data = bytearray(path.read_bytes())
    offset = data.index(b"%PDF") + 20  # stored as it is: its bytes are in the archive
    data[offset] ^= 1
    path.write_bytes(bytes(data))
    refused(path, errors.ImportChecksumMismatch)


def test_a_newer_format_version_is_refused_by_name(exported, refused):
    path = rewrite(exported(), manifest=lambda m: m.update(format_version=2))
    error = refused(path, errors.ImportVersionUnsupported)
    assert error.code == "import_version_unsupported" and "newer Sluis" in error.detail


@pytest.mark.parametrize("kind", ["vector", "sound"])
def test_data_of_another_kind_than_declared_is_refused(exported, refused, kind):
    def declare(manifest):
        manifest["data_source"]["kind"] = kind

    error = refused(rewrite(exported(), manifest=declare), errors.ImportKindMismatch)
    assert error.code == "import_kind_mismatch" and kind in error.detail


@pytest.mark.parametrize("name", ["../../etc/cron.d/x", "/etc/passwd", "timeseries/../../x"])
def test_unsafe_member_names_are_refused(exported, refused, name):
    path = rewrite(exported(), add={name: b"x"}, fix_checksums=True)
    error = refused(path, errors.ImportArchiveUnsafe)
    assert error.code == "import_archive_unsafe" and name in error.detail


def test_a_symbolic_link_member_is_refused(exported, refused):
    def info(name):
        entry = zipfile.ZipInfo(name)
        if name.endswith("000001.csv"):
            entry.external_attr = (stat.S_IFLNK | 0o777) << 16
        return entry

    error = refused(rewrite(exported(), info=info), errors.ImportArchiveUnsafe)
    assert "symbolic link" in error.detail


def test_a_member_no_record_refers_to_is_refused(exported, refused):
    path = rewrite(exported(), add={"timeseries/events/999999.csv": b"x"}, fix_checksums=True)
    assert "999999.csv" in refused(path, errors.ImportArchiveInvalid).detail


def test_a_member_missing_from_the_archive_is_refused(exported, refused):
    def drop(manifest):
        manifest["members"].append({"path": "timeseries/extra.csv", "size": 1, "sha256": "0"})

    assert (
        "missing" in refused(rewrite(exported(), manifest=drop), errors.ImportArchiveInvalid).detail
    )


def test_a_raster_that_is_not_what_its_record_says_leaves_no_object(exported, refused):
    def widen(data):
        lines = [json.loads(line) for line in data.splitlines()]
        lines[-1]["width"] = 21
        return "\n".join(json.dumps(line) for line in lines).encode() + b"\n"

    path = rewrite(exported("raster"), change={"rasters/frames.jsonl": widen}, fix_checksums=True)
    assert "000002.tif" in refused(path, errors.ImportArchiveInvalid).detail


def test_html_posing_as_a_stored_text_file_is_refused(exported, refused):
    page = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    change = {"files/data/notes.txt": lambda data: page}

    def resize(data):
        records = [json.loads(line) for line in data.splitlines()]
        for record in records:
            if record["name"] == "notes.txt":
                record["size"], record["sha256"] = len(page), hashlib.sha256(page).hexdigest()
        return "\n".join(json.dumps(r) for r in records).encode() + b"\n"

    change["files/files.jsonl"] = resize
    path = rewrite(exported("file"), change=change, fix_checksums=True)
    assert "notes.txt" in refused(path, errors.ImportArchiveInvalid).detail


def test_an_events_file_repeating_a_timestamp_is_refused(exported, refused):
    def repeat(data):
        return data + data.splitlines(keepends=True)[-1]

    def recount(data):
        series = [json.loads(line) for line in data.splitlines()]
        series[0]["event_count"] += 1
        return "\n".join(json.dumps(s) for s in series).encode() + b"\n"

    def total(manifest):
        manifest["counts"]["events"] += 1

    change = {"timeseries/events/000001.csv": repeat, "timeseries/series.jsonl": recount}
    path = rewrite(exported(), change=change, manifest=total, fix_checksums=True)
    assert "repeats a timestamp" in refused(path, errors.ImportArchiveInvalid).detail


def test_a_name_clash_is_refused_unless_a_new_name_is_given(exported, refused, other_org):
    path = exported()
    source_import(path=path, organization=other_org.name)
    error = refused(path, errors.ImportNameTaken)
    assert error.code == "import_name_taken" and "--name" in error.detail
    again = source_import(path=path, organization=other_org.name, name="Levels (copy)")
    assert again["name"] == "Levels (copy)"


def test_the_cli_reports_codes_and_exits_2(capsys, exported, tmp_path, other_org):
    assert main(["source", "export", "987654", "-o", str(tmp_path / "x.zip"), "--json"]) == 2
    assert json.loads(capsys.readouterr().err)["code"] == "export_source_not_found"
    assert not list(tmp_path.glob("*x.zip*"))
    path = rewrite(exported(), manifest=lambda m: m.update(format_version=9))
    assert main(["source", "import", str(path), "--org", other_org.name]) == 2
    assert capsys.readouterr().err.startswith("error: The archive has format version 9")


def test_a_member_name_appearing_twice_is_refused(exported, refused):
    path = exported()
    with zipfile.ZipFile(path, "a") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("timeseries/series.jsonl", b"{}\n")
    assert "appears twice" in refused(path, errors.ImportArchiveUnsafe).detail


def test_a_malformed_record_in_an_unaltered_member_is_named_by_line(exported, refused):
    def blank_unit(data):
        return data.replace(b'"unit":"m"', b'"unit":7', 1)

    path = rewrite(exported(), change={"timeseries/series.jsonl": blank_unit}, fix_checksums=True)
    error = refused(path, errors.ImportArchiveInvalid)
    assert "series.jsonl line" in error.detail and "'unit'" in error.detail


def test_a_missing_archive_and_an_unwritable_output_are_clear(capsys, filled, tmp_path, other_org):
    missing = tmp_path / "nope.zip"
    assert main(["source", "import", str(missing), "--org", other_org.name, "--json"]) == 2
    assert json.loads(capsys.readouterr().err)["code"] == "import_archive_not_found"
    source = filled("timeseries").data_source
    target = tmp_path / "no-such-folder" / "x.zip"
    assert main(["source", "export", str(source.pk), "-o", str(target), "--json"]) == 2
    assert json.loads(capsys.readouterr().err)["code"] == "export_output_failed"


def test_a_value_too_long_for_its_column_is_refused_by_name(exported, refused):
    def long_location(data):
        return data.replace(b'"location":"Lock A"', b'"location":"' + b"L" * 201 + b'"', 1)

    change = {"timeseries/series.jsonl": long_location}
    path = rewrite(exported(), change=change, fix_checksums=True)
    assert "location is longer than 200" in refused(path, errors.ImportArchiveInvalid).detail
