"""Filename sanitising: the reference page's rule, generated names, length bounds."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sluis.names import UPLOAD_MAX_NAME, upload_filename_sanitise
from sluis.uploads.receiving import content_disposition_parse

SAFE = re.compile(r"[A-Za-z0-9._-]+")
GENERATED = re.compile(r"upload-[0-9a-f]{12}")


def test_the_reference_example():
    assert upload_filename_sanitise("evaporation#2020-1-1.tif") == "evaporation2020-1-1.tif"


@pytest.mark.parametrize("name", ["", ".", "..", "...", "###", " "])
def test_a_name_with_nothing_left_gets_a_generated_name(name):
    assert GENERATED.fullmatch(upload_filename_sanitise(name))


def test_a_name_with_only_an_extension_left_keeps_the_extension():
    assert re.fullmatch(r"upload-[0-9a-f]{12}\.csv", upload_filename_sanitise("中文.csv"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", None),
        ("..\\..\\win.ini", None),
        ("C:\\x", "Cx"),
        ("/abs/x", "absx"),
        ('a"b\r\nc.csv', "abc.csv"),
    ],
)
def test_path_like_names_become_plain_names(name, expected):
    result = upload_filename_sanitise(name)
    assert SAFE.fullmatch(result) and "/" not in result and "\\" not in result
    if expected:
        assert result == expected


@pytest.mark.parametrize("length", [300, 70_000])
def test_very_long_names_are_truncated_keeping_the_extension(length):
    result = upload_filename_sanitise("a" * length + ".csv")
    assert len(result) == UPLOAD_MAX_NAME and result.endswith(".csv")


@given(st.text(max_size=400))
def test_the_result_is_always_safe_non_empty_bounded_and_idempotent(name):
    result = upload_filename_sanitise(name)
    assert SAFE.fullmatch(result)
    assert 0 < len(result) <= UPLOAD_MAX_NAME
    assert result not in (".", "..")
    assert upload_filename_sanitise(result) == result


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200))
def test_a_quoted_filename_survives_the_part_header_exactly(name):
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    kind, params = content_disposition_parse(f'form-data; name="upload_file"; filename="{quoted}"')
    assert kind == "form-data" and params["filename"] == name
    assert params["name"] == "upload_file"


def test_a_hostile_parameter_list_parses_in_linear_time():
    import time

    started = time.monotonic()
    content_disposition_parse("form-data" + '; a="' * 50_000)
    content_disposition_parse("form-data" + ";" * 200_000)
    assert time.monotonic() - started < 2
