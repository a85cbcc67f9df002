"""Hostile archives refused before 201 (or during unpacking when they lie): central directories
outside the file or far larger than their end record says, duplicate member names, gzip bombs."""

import gzip
import struct
import time
import zipfile

import pytest

from sluis.formats.archives import Budgets, gzip_extract, gzip_inspect
from sluis.formats.errors import Rejected
from tests.ingest import builders
from tests.ingest.test_preflight import CSV, named, refusal


def hostile_directory(entries: int) -> bytes:
    """One local entry, then ``entries`` central headers all naming it, behind an end record
    that declares a single entry."""
    local = builders.zipped({"a.csv": CSV}, zipfile.ZIP_STORED)
    directory_at = struct.unpack("<I", local[-6:-2])[0]
    header = local[directory_at : local.rindex(b"PK\x05\x06")]
    directory = header * entries
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(directory), directory_at, 0)
    return local[:directory_at] + directory + end


def test_a_central_directory_offset_past_the_end_is_refused_as_corrupt(tmp_path):
    data = bytearray(builders.zipped({"a.csv": CSV}))
    data[-6:-2] = struct.pack("<I", len(data) + 1000)

    error = refusal(tmp_path, bytes(data), "x.zip")

    assert error.code == "archive_corrupt" and "central directory" in error.detail


def test_a_directory_of_a_million_entries_behind_an_end_record_of_one_is_refused_fast(tmp_path):
    data = hostile_directory(1_000_000)  # ~51 MB of central directory
    started = time.monotonic()

    error = refusal(tmp_path, data, "x.zip")

    assert error.code == "archive_too_many_members"
    assert time.monotonic() - started < 1


def test_a_directory_holding_one_entry_more_than_the_budget_is_refused(tmp_path, settings):
    settings.SLUIS_ARCHIVE_MAX_MEMBERS = 50

    assert refusal(tmp_path, hostile_directory(51), "x.zip").code == "archive_too_many_members"


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("second", ["a.csv", "A.CSV"])
def test_two_members_of_one_name_are_refused_naming_them(tmp_path, second):
    data = builders.zipped({"a.csv": CSV, "b.csv": CSV})
    with zipfile.ZipFile(path := tmp_path / "dup.zip", "w") as archive:
        archive.writestr("a.csv", CSV)
        archive.writestr(second, CSV)
    data = path.read_bytes()

    error = refusal(tmp_path, data, "x.zip")

    assert error.code == "archive_duplicate" and named(error) == {second}
    assert "more than once" in error.detail


def test_an_honest_gzip_bomb_is_refused_from_its_trailer(tmp_path):
    data = gzip.compress(CSV + CSV[35:] * 400_000)  # ~28 KB unpacking to 12 MB: ~400:1

    error = refusal(tmp_path, data, "levels.csv.gz")

    assert error.code == "archive_too_large" and "200:1" in error.detail


def test_a_gzip_bomb_with_a_lying_trailer_stops_at_the_ratio_while_unpacking(tmp_path):
    data = gzip.compress(CSV + CSV[35:] * 800_000)
    path = tmp_path / "in.gz"
    path.write_bytes(data[:-4] + struct.pack("<I", 100))
    budgets = Budgets()
    item = gzip_inspect(path, "levels.csv.gz", budgets)
    (dest := tmp_path / "out").mkdir()

    with pytest.raises(Rejected) as caught:
        gzip_extract(path, item, dest, budgets)

    assert caught.value.code == "archive_too_large" and "200:1" in caught.value.detail
    assert (dest / item.target).stat().st_size <= len(data) * 200 + 1024 * 1024


def test_a_gzip_within_the_ratio_unpacks_whole(tmp_path):
    path = tmp_path / "in.gz"
    path.write_bytes(gzip.compress(CSV * 1000))
    item = gzip_inspect(path, "levels.csv.gz", Budgets())
    (dest := tmp_path / "out").mkdir()

    assert gzip_extract(path, item, dest, Budgets()).size == len(CSV) * 1000
