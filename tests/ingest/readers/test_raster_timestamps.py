from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from sluis.readers.timestamps import (
    FilenamePattern,
    TimestampError,
    from_cf,
    from_name,
    from_tiff_datetime,
)

UTC_ZONE = ZoneInfo("UTC")
JAN1 = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("evaporation_2020-01-01.tif", JAN1),
        ("evaporation_20200101.tif", JAN1),
        ("evaporation#2020-1-1.tif", JAN1),
        ("evap_2020_01_01.asc", JAN1),
        ("evap.2020.01.01.nc", JAN1),
        ("evaporation_2020-01-01T0600.tif", datetime(2020, 1, 1, 6, tzinfo=UTC)),
        ("evaporation_2020-01-01T06:00:30.tif", datetime(2020, 1, 1, 6, 0, 30, tzinfo=UTC)),
        ("folder/evap_20200101_0600.tif", datetime(2020, 1, 1, 6, tzinfo=UTC)),
        ("evaporation.tif", None),
        ("run_12345678.tif", None),
        ("run_20201345.tif", None),
        ("tile_0512_03_07.tif", None),
        ("evap_9998-12-31.tif", datetime(9998, 12, 31, tzinfo=UTC)),
    ],
)
def test_a_date_in_the_file_name_is_recognised_in_common_forms(name, expected):
    assert from_name(name, UTC_ZONE) == expected


def test_two_different_dates_in_a_name_are_ambiguous():
    with pytest.raises(TimestampError, match="filename_pattern"):
        from_name("forecast_20200101_valid_20200102.tif", UTC_ZONE)


@pytest.mark.parametrize(
    "name",
    ["c10m_2020-01-01_2021-01-01.tif", "c10m_20200101_20210101.tif", "a_2020_01_01_2021_01_01.tif"],
)
def test_a_name_with_two_dates_is_an_error_never_a_date_and_a_time(name):
    with pytest.raises(TimestampError, match=r"several dates.*2020-01-01.*2021-01-01"):
        from_name(name, UTC_ZONE)


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("c10m_2025-02-30.tif", "'2025-02-30', which is not a valid date"),
        ("evap_2020-13-45.tif", "'2020-13-45', which is not a valid date"),
        ("c10m_9999-12-31.tif", "9999-12-31, outside the years 1000 to 9998"),
        ("c10m_0001-01-01.tif", "0001-01-01, outside the years 1000 to 9998"),
    ],
)
def test_a_name_holding_an_impossible_date_says_so_rather_than_no_timestamp(name, says):
    with pytest.raises(TimestampError, match=says):
        from_name(name, ZoneInfo("Pacific/Kiritimati"))


def test_a_pattern_date_beyond_the_years_is_an_error_not_an_overflow():
    pattern = FilenamePattern("c_{timestamp:%Y-%m-%d}.tif")
    with pytest.raises(TimestampError, match="outside the years"):
        pattern.match("c_9999-12-31.tif", ZoneInfo("Pacific/Kiritimati"))


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ([1e12], "cannot be read as real dates"),
        ([float("nan")], "not a number"),
        ([0, float("inf")], "not a number"),
    ],
)
def test_cf_time_values_beyond_any_date_or_nan_are_a_clear_error(values, says):
    with pytest.raises(TimestampError, match=says):
        from_cf(values, "days since 2020-01-01", "standard")


def test_a_naive_name_date_is_in_the_data_source_time_zone():
    assert from_name("e_2020-07-01T1200.tif", ZoneInfo("Europe/Amsterdam")) == datetime(
        2020, 7, 1, 10, tzinfo=UTC
    )


def test_a_filename_pattern_matches_the_whole_original_name():
    pattern = FilenamePattern("evaporation_{timestamp:%Y-%m-%d}.tif")
    assert pattern.match("evaporation_2020-1-1.tif", UTC_ZONE) == JAN1
    assert pattern.match("zips/evaporation_2020-01-01.TIF", UTC_ZONE) == JAN1
    assert pattern.match("rain_2020-01-01.tif", UTC_ZONE) is None
    assert pattern.match("evaporation_2020-02-30.tif", UTC_ZONE) is None


def test_a_filename_pattern_may_carry_a_time_and_an_offset():
    pattern = FilenamePattern("radar{timestamp:%Y%m%d%H%M%z}.asc")
    assert pattern.match("radar202001010600+0100.asc", UTC_ZONE) == datetime(
        2020, 1, 1, 5, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "pattern", ["evaporation.tif", "{timestamp:%Y}_{timestamp:%m}.tif", "e_{timestamp:%Q}.tif"]
)
def test_an_unusable_filename_pattern_is_refused_with_the_reason(pattern):
    with pytest.raises(TimestampError, match="filename_pattern"):
        FilenamePattern(pattern)


def test_the_tiff_datetime_tag_is_read():
    assert from_tiff_datetime("2020:01:01 00:00:00", UTC_ZONE) == JAN1
    assert from_tiff_datetime("yesterday", UTC_ZONE) is None
    assert from_tiff_datetime(None, UTC_ZONE) is None


def test_cf_time_units_become_utc_datetimes():
    assert from_cf([0, 36], "hours since 2020-01-01 00:00:00", "gregorian") == [
        JAN1,
        datetime(2020, 1, 2, 12, tzinfo=UTC),
    ]


def test_a_model_calendar_without_real_dates_is_refused():
    with pytest.raises(TimestampError, match="360_day"):
        from_cf([0], "days since 2020-01-01", "360_day")
