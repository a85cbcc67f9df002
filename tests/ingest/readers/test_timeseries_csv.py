"""CSV timeseries: layouts, dialects, encodings, and problems with their line numbers."""

import pytest

from sluis.readers.timeseries import csv as csv_timeseries
from tests.ingest.readers.timeseries_helpers import read

HEAD = "location,parameter,timestamp,value\n"
LONG = "location,parameter,timestamp,value,unit,flag\nL1,h,2025-01-01T00:00:00Z,1.5,m,0\n"


def test_long_format_reads_every_field(tmp_path):
    result = read(tmp_path, LONG)
    assert result.events == [("L1", "h", "2025-01-01T00:00:00+00:00", 1.5, "0")]
    assert result.units == ["m"]
    assert result.lines == [2]


def test_semicolons_and_decimal_commas_are_detected(tmp_path):
    result = read(tmp_path, "location;parameter;timestamp;value\nL1;h;2025-01-01 00:00;1,25\n")
    assert result.first[3] == 1.25


def test_tabs_quotes_and_a_bom_are_handled(tmp_path):
    text = '\ufefflocation\tparameter\ttimestamp\tvalue\n"L1, north"\th\t2025-01-01\t2\n'
    assert read(tmp_path, text).first[:2] == ("L1, north", "h")


def test_a_decimal_comma_with_comma_delimiters_needs_quotes(tmp_path):
    text = 'location,parameter,timestamp,value\nL1,h,2025-01-01,"1,5"\n'
    assert read(tmp_path, text, decimal=",").first[3] == 1.5


def test_latin1_text_is_read(tmp_path):
    text = "location;parameter;timestamp;value\nZürich;h;2025-01-01;1\n".encode("latin-1")
    assert read(tmp_path, text).first[0] == "Zürich"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings(tmp_path, newline):
    text = newline.join(
        ["location,parameter,timestamp,value", "L1,h,2025-01-01,1", "L1,h,2025-01-02,2", ""]
    )
    result = read(tmp_path, text)
    assert [e[3] for e in result.events] == [1.0, 2.0]
    assert result.lines == [2, 3]


def test_blank_lines_keep_line_numbers_exact(tmp_path):
    text = "location,parameter,timestamp,value\n\nL1,h,2025-01-01,1\n\nL1,h,bad,2\n"
    result = read(tmp_path, text)
    assert result.lines == [3]
    assert result.problems[0]["line"] == 5


def test_a_row_with_the_wrong_number_of_fields_is_a_problem_on_its_line(tmp_path):
    text = HEAD + "L1,h,2025-01-01,1\nL1,h,2025-01-02\nL1,h,2025-01-03,3\n"
    result = read(tmp_path, text)
    assert result.problems == [
        {
            "file": "input",
            "line": 3,
            "message": "row has 3 fields, the header has 4",
            "value": "L1,h,2025-01-02",
        }
    ]
    assert result.lines == [2, 4]


def test_line_numbers_survive_chunk_boundaries(tmp_path):
    rows = "".join(f"L1,h,2025-01-01T00:{m:02d}:00Z,{m}\n" for m in range(50))
    text = "location,parameter,timestamp,value\n" + rows + "L1,h,nope,1\n"
    result = read(tmp_path, text, options={"chunk_bytes": 64})
    assert result.lines == list(range(2, 52))
    assert result.problems[0]["line"] == 52


def test_column_names_come_from_the_settings(tmp_path):
    text = "meetpunt,grootheid,datum,waarde\nL1,h,2025-01-01,1\n"
    columns = {
        "location": "meetpunt",
        "parameter": "grootheid",
        "timestamp": "datum",
        "value": "waarde",
    }
    assert read(tmp_path, text, columns=columns).first[:2] == ("L1", "h")


def test_a_configured_column_that_is_absent_is_a_file_problem(tmp_path):
    result = read(tmp_path, LONG, columns={"value": "waarde"})
    assert "column 'waarde'" in result.file_error


def test_a_long_file_without_a_parameter_uses_the_fixed_parameter(tmp_path):
    text = "location,datetime,value\nL1,2025-01-01,1\n"
    assert read(tmp_path, text, parameter="h", unit="m").first[:2] == ("L1", "h")


def test_a_header_without_timestamp_is_a_file_problem(tmp_path):
    assert "no timestamp column" in read(tmp_path, "location,value\nL1,1\n").file_error


def test_wide_format_makes_one_series_per_column(tmp_path):
    text = "timestamp,L1/h,L2/h\n2025-01-01,1,2\n2025-01-02,,4\n"
    result = read(tmp_path, text)
    assert sorted((*e[:2], e[3]) for e in result.events) == [
        ("L1", "h", 1.0),
        ("L2", "h", 2.0),
        ("L2", "h", 4.0),
    ]
    assert result.skipped == 1


def test_wide_format_with_a_fixed_parameter_reads_locations(tmp_path):
    result = read(tmp_path, "timestamp;North;South\n2025-01-01;1;2\n", parameter="q")
    assert {e[:2] for e in result.events} == {("North", "q"), ("South", "q")}


def test_wide_format_needs_location_slash_parameter(tmp_path):
    assert (
        "is not 'location/parameter'"
        in read(tmp_path, "timestamp,North\n2025-01-01,1\n").file_error
    )


def test_nul_bytes_are_a_file_problem(tmp_path):
    text = b"location,parameter,timestamp,value\nL1,h,2025-01-01,1\x00\n"
    assert "NUL byte" in read(tmp_path, text).file_error


def test_a_huge_single_line_is_refused_in_bounded_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_timeseries, "MAX_LINE_BYTES", 1000)
    result = read(tmp_path, "location," * 500, options={"chunk_bytes": 256})
    assert "longer than 1000 bytes" in result.file_error


def test_an_empty_file_is_a_file_problem(tmp_path):
    assert read(tmp_path, "").file_error == "the file is empty"


def test_values_that_are_not_finite_numbers_are_problems(tmp_path):
    text = (
        HEAD + "L1,h,2025-01-01,NaN\nL1,h,2025-01-02,inf\nL1,h,2025-01-03,abc\nL1,h,2025-01-04,\n"
    )
    result = read(tmp_path, text)
    assert [(p["line"], p["message"]) for p in result.problems] == [
        (2, "value is not a finite number (NaN/Inf)"),
        (3, "value is not a finite number (NaN/Inf)"),
        (4, "value is not a number"),
    ]
    assert result.skipped == 1
    assert result.events == []


def test_empty_location_and_overlong_flag_are_problems(tmp_path):
    text = (
        "location,parameter,timestamp,value,flag\n,h,2025-01-01,1,\nL1,h,2025-01-01,1,"
        + "x" * 40
        + "\n"
    )
    result = read(tmp_path, text)
    assert [(p["line"], p["field"]) for p in result.problems] == [(2, "location"), (3, "flag")]
