"""The checks made before 201: archive pre-flight from the central directory, content sniffing
against the data source's kind. Each refusal is a 400 with a stable code naming every culprit."""

import gzip
import io
import struct
import time
import zipfile

import pytest

from sluis.formats.archives import zip_extract
from sluis.formats.errors import Rejected
from sluis.uploads.inspection import archive_budgets, upload_inspect, upload_preflight
from tests.ingest import builders

CSV = b"location,parameter,timestamp,value\nA,h,2024-01-01T00:00:00Z,1.5\n"


class Source:
    def __init__(self, kind):
        self.kind = kind


def preflight(tmp_path, data: bytes, name: str, kind: str = "timeseries") -> str:
    path = tmp_path / "received"
    path.write_bytes(data)
    return upload_preflight(path=path, filename=name, data_source=Source(kind))


def refusal(tmp_path, data: bytes, name: str, kind: str = "timeseries") -> Rejected:
    with pytest.raises(Rejected) as caught:
        preflight(tmp_path, data, name, kind)
    assert caught.value.status_code == 400
    return caught.value


def named(error: Rejected) -> set[str]:
    return {member["name"] for member in error.as_dict().get("members", [])}


def test_a_fitting_file_returns_its_detected_format(tmp_path):
    assert preflight(tmp_path, CSV, "levels.csv") == "csv"
    assert preflight(tmp_path, builders.zipped({"a.csv": CSV, "b.csv": CSV}), "x.zip") == "zip:csv"
    assert preflight(tmp_path, gzip.compress(CSV), "levels.csv.gz") == "gzip:csv"


def test_a_format_the_kind_does_not_read_is_refused_naming_the_file(tmp_path):
    error = refusal(tmp_path, builders.image("PNG"), "photo.png", kind="timeseries")

    assert error.code == "format_not_allowed" and named(error) == {"photo.png"}
    assert "timeseries" in error.detail


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (builders.zipped({"a.csv": CSV}), "levels.csv"),
        (CSV, "raster.tif"),
        (b"<!DOCTYPE html><html><body>login</body></html>", "photo.jpg"),
    ],
)
def test_a_disguised_file_is_refused_with_a_clear_reason(tmp_path, data, name):
    error = refusal(tmp_path, data, name, kind="file")

    assert error.code == "format_mismatch" and named(error) == {name}
    assert "the name says" in error.detail


def test_html_without_a_telling_name_is_refused_as_unsupported(tmp_path):
    error = refusal(tmp_path, b"<html><body>hi</body></html>", "page", kind="file")

    assert error.code == "unsupported_format"


def test_a_json_file_over_the_budget_is_refused(tmp_path, settings):
    settings.SLUIS_MAX_JSON_SIZE = 100
    data = b'[{"value": 1}' + b', {"value": 1}' * 20 + b"]"

    assert refusal(tmp_path, data, "levels.json").code == "json_too_large"
    zipped = builders.zipped({"levels.json": data})
    assert refusal(tmp_path, zipped, "levels.zip").code == "json_too_large"


def test_a_zip_bomb_is_refused_from_the_central_directory_before_inflating(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.csv", "w") as member:
            for _ in range(100):
                member.write(bytes(1024 * 1024))
    started = time.monotonic()

    error = refusal(tmp_path, buffer.getvalue(), "bomb.zip")

    assert time.monotonic() - started < 1
    assert error.code == "archive_too_large" and "compression ratio" in error.detail


def test_too_many_members_are_refused_from_the_declared_count(tmp_path, settings):
    settings.SLUIS_ARCHIVE_MAX_MEMBERS = 50
    many = builders.zipped({f"{i}.csv": CSV for i in range(51)})
    # an end record declaring 200,000 entries is refused before the directory is parsed
    empty = builders.zipped({})
    declared = empty[:-12] + struct.pack("<HH", 0xFFFF - 1, 0xFFFF - 1) + empty[-8:]

    assert refusal(tmp_path, many, "many.zip").code == "archive_too_many_members"
    assert refusal(tmp_path, declared, "declared.zip").code == "archive_too_many_members"


def test_members_over_the_size_budgets_are_refused(tmp_path, settings):
    settings.SLUIS_ARCHIVE_MAX_MEMBER_SIZE = 1000
    error = refusal(tmp_path, builders.zipped({"big.csv": CSV * 20, "ok.csv": CSV}), "x.zip")
    assert error.code == "archive_too_large" and named(error) == {"big.csv"}

    settings.SLUIS_ARCHIVE_MAX_MEMBER_SIZE = 10_000
    settings.SLUIS_ARCHIVE_MAX_TOTAL_SIZE = 1000
    error = refusal(tmp_path, builders.zipped({f"{i}.csv": CSV * 4 for i in range(5)}), "x.zip")
    assert error.code == "archive_too_large" and "in total" in error.detail


def test_unsafe_member_names_are_all_named(tmp_path):
    names = ["../../x.csv", "/abs/x.csv", "C:/x.csv", "dir\\x.csv"]
    error = refusal(tmp_path, builders.zipped({name: CSV for name in names}), "x.zip")

    assert error.code == "archive_unsafe" and named(error) == set(names)


@pytest.mark.parametrize("mode", [0o120777, 0o010644, 0o020644])
def test_symlinks_and_special_files_are_refused(tmp_path, mode):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("link.csv")
        info.create_system = 3
        info.external_attr = mode << 16
        archive.writestr(info, b"/etc/passwd")
        archive.writestr("ok.csv", CSV)

    error = refusal(tmp_path, buffer.getvalue(), "x.zip")

    assert error.code == "archive_unsafe" and named(error) == {"link.csv"}


def test_encrypted_members_and_unknown_compression_are_refused(tmp_path):
    data = builders.zipped({"a.csv": CSV, "b.csv": CSV})
    encrypted = builders.patch_local(
        builders.patch_central(data, 0, 8, b"\x01\x00"), 0, 6, b"\x01\x00"
    )
    deflate64 = builders.patch_local(
        builders.patch_central(data, 1, 10, b"\x09\x00"), 1, 8, b"\x09\x00"
    )

    error = refusal(tmp_path, encrypted, "x.zip")
    assert error.code == "archive_encrypted" and named(error) == {"a.csv"}
    error = refusal(tmp_path, deflate64, "x.zip")
    assert error.code == "archive_unsupported_compression" and named(error) == {"b.csv"}


def test_overlapping_entries_are_refused(tmp_path):
    data = builders.zipped({"a.csv": CSV, "b.csv": CSV})
    overlapping = builders.patch_central(data, 1, 42, struct.pack("<I", 0))

    error = refusal(tmp_path, overlapping, "x.zip")

    assert error.code == "archive_unsafe" and "overlaps" in error.detail


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: d[: len(d) // 2], "archive_corrupt"),
        (
            lambda d: builders.patch_central(
                builders.patch_local(d, 0, 14, b"\0\0\0\0"), 0, 16, b"\0\0\0\0"
            ),
            "archive_corrupt",
        ),
        (lambda d: builders.zipped({}), "archive_empty"),
        (lambda d: builders.zipped({"__MACOSX/._a.csv": b"x", ".DS_Store": b"x"}), "archive_empty"),
    ],
    ids=["truncated", "bad-crc", "empty", "only-ignored-files"],
)
def test_damaged_or_empty_archives_are_refused(tmp_path, damage, expected):
    data = damage(builders.zipped({"a.csv": CSV}))

    assert refusal(tmp_path, data, "x.zip").code == expected


def test_nested_archives_are_not_expanded(tmp_path):
    data = builders.zipped(
        {"inner.zip": builders.zipped({"a.csv": CSV}), "b.gz": gzip.compress(CSV), "c.csv": CSV}
    )

    error = refusal(tmp_path, data, "x.zip")

    assert error.code == "archive_nested" and named(error) == {"inner.zip", "b.gz"}


def test_mixed_formats_are_refused_naming_the_odd_members(tmp_path):
    data = builders.zipped(
        {
            "a.csv": CSV,
            "b.csv": CSV,
            "c.csv": CSV,
            "notes.pdf": b"%PDF-1.4\n",
            "x.png": builders.image("PNG"),
        }
    )

    error = refusal(tmp_path, data, "x.zip", kind="timeseries")

    assert error.code == "archive_mixed_formats" and named(error) == {"notes.pdf", "x.png"}


def test_a_file_data_source_takes_a_zip_of_mixed_types(tmp_path):
    data = builders.zipped({"report.pdf": b"%PDF-1.4\n", "x.png": builders.image("PNG")})
    path = tmp_path / "x.zip"
    path.write_bytes(data)
    assert upload_inspect(path=path, filename="x.zip", kind="file").container == "zip"


def test_a_shapefile_without_its_sidecars_names_what_is_missing(tmp_path):
    data = builders.zipped(
        {"rivers.shp": builders.shp_header() + bytes(8), "rivers.prj": builders.PRJ}
    )

    error = refusal(tmp_path, data, "rivers.zip", kind="vector")

    assert error.code == "shapefile_incomplete"
    assert "rivers.shx" in error.detail and "rivers.dbf" in error.detail


def test_a_gzip_of_a_tar_is_refused_as_nested(tmp_path):
    tar = bytes(257) + b"ustar" + bytes(250)

    assert refusal(tmp_path, gzip.compress(tar), "x.tar.gz").code == "archive_nested"


def test_shapefile_parts_are_extracted_under_one_generated_stem(tmp_path):
    members = {
        "data/Rivers.SHP": builders.shp_header() + bytes(8),
        "data/Rivers.SHX": builders.shp_header() + bytes(8),
        "data/Rivers.DBF": builders.dbf(),
        "data/Rivers.prj": builders.PRJ,
        "__MACOSX/data/._Rivers.SHP": b"\x00\x05\x16\x07",
    }
    path = tmp_path / "received"
    path.write_bytes(builders.zipped(members))
    inspection = upload_inspect(path=path, filename="rivers.zip", kind="vector")
    dest = tmp_path / "out"
    dest.mkdir()

    extracted = zip_extract(path, inspection.plan, dest, archive_budgets())

    assert inspection.detected == "zip:shp"
    assert sorted(m.path.name for m in extracted) == [
        "m00001.dbf",
        "m00001.prj",
        "m00001.shp",
        "m00001.shx",
    ]
    assert {m.name for m in extracted} == set(list(members)[:4])
    assert sorted(p.name for p in dest.iterdir()) == sorted(m.path.name for m in extracted)
