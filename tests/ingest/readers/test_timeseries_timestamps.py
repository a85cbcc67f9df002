"""Timestamps: ISO 8601 with offsets, naive local times, DST, explicit formats."""

import pytest

from tests.ingest.readers.timeseries_helpers import read

HEAD = "location,parameter,timestamp,value\n"


def rows(*stamps):
    return HEAD + "".join(f"L1,h,{stamp},1\n" for stamp in stamps)


@pytest.mark.parametrize(
    ("stamp", "utc"),
    [
        ("2025-01-01T12:00:00+01:00", "2025-01-01T11:00:00+00:00"),
        ("2025-01-01 12:00:00+0100", "2025-01-01T11:00:00+00:00"),
        ("2025-01-01 12:00:00+00", "2025-01-01T12:00:00+00:00"),
        ("2025-01-01T12:00:00.5Z", "2025-01-01T12:00:00.500000+00:00"),
        ("2025-01-01T12:00", "2025-01-01T12:00:00+00:00"),
        ("2025-01-01", "2025-01-01T00:00:00+00:00"),
    ],
)
def test_iso_8601_forms_are_read_as_utc(tmp_path, stamp, utc):
    assert read(tmp_path, rows(stamp)).first[2] == utc


def test_naive_times_are_read_in_the_source_time_zone(tmp_path):
    result = read(
        tmp_path, rows("2025-01-15T12:00:00", "2025-07-15T12:00:00"), timezone="Europe/Amsterdam"
    )
    assert [e[2] for e in result.events] == [
        "2025-01-15T11:00:00+00:00",
        "2025-07-15T10:00:00+00:00",
    ]


def test_offsets_win_over_the_source_time_zone(tmp_path):
    result = read(
        tmp_path, rows("2025-01-15T12:00:00Z", "2025-01-15T12:00:00"), timezone="Europe/Amsterdam"
    )
    assert [e[2] for e in result.events] == [
        "2025-01-15T12:00:00+00:00",
        "2025-01-15T11:00:00+00:00",
    ]


def test_dst_gaps_and_repeats_are_problems_on_their_lines(tmp_path):
    text = rows("2025-03-30T02:30:00", "2025-10-26T02:30:00", "2025-10-26T03:30:00")
    result = read(tmp_path, text, timezone="Europe/Amsterdam")
    assert [(p["line"], p["message"]) for p in result.problems] == [
        (2, "local time does not exist in Europe/Amsterdam (DST)"),
        (3, "local time is ambiguous in Europe/Amsterdam (DST)"),
    ]
    assert result.events[0][2] == "2025-10-26T02:30:00+00:00"


def test_unparseable_timestamps_are_problems_with_their_value(tmp_path):
    result = read(tmp_path, rows("2025-01-01", "31/12/2025", "2025-13-01"))
    assert [(p["line"], p["value"]) for p in result.problems] == [
        (3, "31/12/2025"),
        (4, "2025-13-01"),
    ]
    assert len(result.events) == 1


def test_an_explicit_format_reads_local_day_first_times(tmp_path):
    result = read(
        tmp_path,
        rows("31-12-2025 23:00", "garbage"),
        timestamp_format="%d-%m-%Y %H:%M",
        timezone="Europe/Amsterdam",
    )
    assert result.first[2] == "2025-12-31T22:00:00+00:00"
    assert result.problems[0]["message"] == "timestamp is not %d-%m-%Y %H:%M"
