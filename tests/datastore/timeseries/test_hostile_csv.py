"""Hostile timeseries CSVs: budgets on columns and series refuse early with a clear reason; giant
fields and lines are row or file problems, never an unexpected error; nothing is stored."""

import time

import pytest

from sluis.formats.errors import IngestFailed
from tests.datastore.timeseries.conftest import stored

HEAD = "location,parameter,timestamp,value\n"


GOOD = ("good.csv", "csv", HEAD + "L1,h,2025-01-01,1\n")


def test_a_wide_csv_of_100000_columns_is_refused_from_its_header(levels, ingest):
    header = "timestamp," + ",".join(f"L{i}/h" for i in range(100_000))
    text = header + "\n2025-01-01," + ",".join("1" for _ in range(100_000)) + "\n"
    started = time.monotonic()

    outcome = ingest(levels, [("wide.csv", "csv", text), GOOD], on_error="skip_invalid_rows")

    assert time.monotonic() - started < 10
    assert outcome.problems[0]["file"] == "wide.csv" and outcome.problems[0]["line"] == 1
    assert "100001 columns; at most 10000" in outcome.problems[0]["message"]
    assert len(stored(levels)) == 1  # the good file only


def test_a_long_csv_of_more_series_than_the_budget_is_refused(levels, ingest, settings):
    settings.SLUIS_TIMESERIES_MAX_SERIES = 1000
    rows = "".join(f"L{i},h,2025-01-01,1\n" for i in range(1001))

    with pytest.raises(IngestFailed) as failure:
        ingest(levels, HEAD + rows, name="long.csv")

    assert failure.value.code == "too_many_series"
    assert "more than 1000 distinct series" in failure.value.detail
    assert stored(levels) == {}


def test_exactly_the_series_budget_is_accepted(levels, ingest, settings):
    settings.SLUIS_TIMESERIES_MAX_SERIES = 1000
    rows = "".join(f"L{i},h,2025-01-01,1\n" for i in range(1000))

    assert ingest(levels, HEAD + rows, name="long.csv").counts.inserted == 1000


def test_a_field_over_128_kib_is_a_row_problem(levels, ingest):
    giant = '"L' + "x" * (200 * 1024) + '",h,2025-01-02,1\n'
    text = HEAD + "L1,h,2025-01-01,1\n" + giant + "\nL1,h,2025-01-03,2\n"

    outcome = ingest(levels, text, name="levels.csv", on_error="skip_invalid_rows")

    assert outcome.counts.inserted == 2
    assert [(p["line"], p["message"]) for p in outcome.problems] == [
        (3, "a field is longer than 128 KiB")
    ]


def test_a_17_mb_line_is_a_file_problem_naming_the_line(levels, ingest):
    text = HEAD + "L1,h,2025-01-01,1\n" + "L1,h,2025-01-02," + "9" * 17_000_000 + "\n"

    outcome = ingest(levels, [("long.csv", "csv", text), GOOD], on_error="skip_invalid_rows")

    assert outcome.problems[0]["file"] == "long.csv" and outcome.problems[0]["line"] == 3
    assert "longer than 16777216 bytes" in outcome.problems[0]["message"]
