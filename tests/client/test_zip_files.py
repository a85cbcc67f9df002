"""``zip_files`` keeps the names that an upload's filename sanitising would lose."""

import zipfile

import pytest

from sluis_client import remote_filename, zip_files


def _names(archive):
    with zipfile.ZipFile(archive) as zf:
        return sorted(zf.namelist())


def test_names_with_special_characters_are_kept_exactly(tmp_path):
    names = ["evaporation#2020-1-1.tif", "Ølstykke måling (2).csv", "水位 level.csv"]
    for name in names:
        (tmp_path / name).write_bytes(name.encode())
    archive = zip_files([tmp_path / name for name in names], tmp_path / "out.zip")
    assert _names(archive) == sorted(names)
    with zipfile.ZipFile(archive) as zf:
        assert zf.read("水位 level.csv") == "水位 level.csv".encode()
        assert all(info.flag_bits & 0x800 for info in zf.infolist() if not info.filename.isascii())


def test_a_folder_keeps_its_inner_paths_with_forward_slashes(tmp_path):
    folder = tmp_path / "photos 2024"
    (folder / "dyke #3").mkdir(parents=True)
    (folder / "a.jpg").write_bytes(b"a")
    (folder / "dyke #3" / "b.jpg").write_bytes(b"b")
    archive = zip_files([folder], tmp_path / "photos.zip")
    assert _names(archive) == ["photos 2024/a.jpg", "photos 2024/dyke #3/b.jpg"]


def test_two_files_with_one_name_are_refused(tmp_path):
    for folder in ("north", "south"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "levels.csv").write_text("x")
    with pytest.raises(ValueError, match=r"levels\.csv"):
        zip_files([tmp_path / "north" / "levels.csv", tmp_path / "south" / "levels.csv"])


def test_without_destination_it_writes_a_temporary_zip(tmp_path):
    (tmp_path / "a.csv").write_text("x")
    archive = zip_files([tmp_path / "a.csv"])
    try:
        assert archive.suffix == ".zip" and _names(archive) == ["a.csv"]
    finally:
        archive.unlink()


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.csv"):
        zip_files([tmp_path / "nope.csv"])


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (r"C:\Users\supplier\data\levels#1.csv", "levels#1.csv"),
        ("C:/path/to/new/dataset.csv", "dataset.csv"),
        (r"\\fileserver\share\gauges\peil 2024.csv", "peil 2024.csv"),
        ("/home/supplier/levels.csv", "levels.csv"),
        ("levels.csv", "levels.csv"),
    ],
)
def test_the_name_sent_for_a_windows_or_posix_path_is_its_last_component(path, name):
    assert remote_filename(path) == name


def test_a_file_named_like_a_windows_path_is_zipped_under_its_own_name(tmp_path):
    odd = tmp_path / r"C:\data\levels#1.csv"  # one file on POSIX: backslashes are legal there
    odd.write_text("x")
    assert _names(zip_files([odd], tmp_path / "w.zip")) == ["levels#1.csv"]
