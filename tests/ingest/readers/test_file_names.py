import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sluis.names import stored_filename_sanitise
from sluis.readers.timestamps import FilenamePattern, PatternError

SAFE = re.compile(r"[A-Za-z0-9._-]+")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("evaporation#2020-1-1.tif", "evaporation2020-1-1.tif"),
        ("IMG 0001 (copy).JPG", "IMG0001copy.JPG"),
        ("photos/bridge north/IMG_1.jpg", "IMG_1.jpg"),
        ("..\\..\\win.ini", "win.ini"),
        ("C:\\x", "x"),
        ("/abs/x", "x"),
    ],
)
def test_names_keep_only_safe_characters_of_the_last_path_part(name, expected):
    assert stored_filename_sanitise(name) == expected


@pytest.mark.parametrize("name", ["", ".", "..", "中文", "///"])
def test_a_name_that_sanitises_to_nothing_gets_a_generated_one(name):
    generated = stored_filename_sanitise(name)
    assert generated.startswith("file-") and SAFE.fullmatch(generated)


def test_a_generated_name_keeps_the_extension_and_is_stable_for_the_same_original():
    assert stored_filename_sanitise("中文.jpg").endswith(".jpg")
    assert stored_filename_sanitise("中文.jpg") == stored_filename_sanitise("中文.jpg")
    assert stored_filename_sanitise("中文.jpg") != stored_filename_sanitise("日本.jpg")


@pytest.mark.parametrize("length", [300, 70_000])
def test_long_names_are_cut_with_the_extension_kept(length):
    name = "a" * length + ".pdf"
    assert len(stored_filename_sanitise(name)) == 200 and stored_filename_sanitise(name).endswith(
        ".pdf"
    )


@given(st.text(max_size=400))
def test_sanitised_names_are_safe_non_empty_bounded_and_idempotent(name):
    clean = stored_filename_sanitise(name)
    assert SAFE.fullmatch(clean) and len(clean) <= 200 and clean.strip(".")
    assert stored_filename_sanitise(clean) == clean


def test_a_pattern_reads_the_time_from_a_matching_name():
    pattern = FilenamePattern("inspection_{timestamp:%Y-%m-%d_%H%M}.pdf")
    assert pattern.timestamp("Inspection_2023-06-30_1415.PDF") == datetime(2023, 6, 30, 14, 15)


def test_a_pattern_matches_the_last_path_part_with_wildcards():
    pattern = FilenamePattern("*_{timestamp:%Y%m%d}.jpg")
    assert pattern.timestamp("site 4/bridge_20240102.jpg") == datetime(2024, 1, 2)


def test_a_pattern_with_an_offset_gives_an_aware_time():
    pattern = FilenamePattern("cam_{timestamp:%Y%m%dT%H%M%S%z}.jpg")
    found = pattern.timestamp("cam_20240102T030405Z.jpg")
    assert found == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_a_name_that_does_not_match_gives_no_time():
    assert FilenamePattern("photo_{timestamp:%Y%m%d}.jpg").timestamp("other.jpg") is None


def test_a_matching_name_with_an_impossible_date_is_an_error():
    with pytest.raises(PatternError, match="not a valid"):
        FilenamePattern("photo_{timestamp:%Y%m%d}.jpg").timestamp("photo_20241399.jpg")


@pytest.mark.parametrize(
    "pattern", ["photo.jpg", "{timestamp:%Y}_{timestamp:%m}", "{timestamp:%Q}"]
)
def test_an_unusable_pattern_is_an_error(pattern):
    with pytest.raises(PatternError):
        FilenamePattern(pattern)
