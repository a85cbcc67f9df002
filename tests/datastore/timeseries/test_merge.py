"""The merge rule: append, overwrite overlaps, leave the rest, and say what changed."""

from datetime import UTC, datetime

import pytest

from sluis.datastore.timeseries.models import Series
from sluis.formats.errors import IngestFailed
from tests.datastore.timeseries.conftest import series_of, stored

FIRST = """location,parameter,timestamp,value
L1,h,2025-01-01T00:00:00Z,1.0
L1,h,2025-01-01T01:00:00Z,2.0
L1,h,2025-01-01T02:00:00Z,3.0
L2,h,2025-01-01T00:00:00Z,10.0
"""
SECOND = """location,parameter,timestamp,value
L1,h,2025-01-01T02:00:00Z,30.0
L1,h,2025-01-01T03:00:00Z,4.0
"""


def test_a_first_upload_inserts_every_event(levels, ingest):
    outcome = ingest(levels, FIRST)
    assert (outcome.counts.inserted, outcome.counts.updated, outcome.counts.unchanged) == (4, 0, 0)
    assert stored(levels)[("L1", "h", "2025-01-01T01:00:00+00:00")] == 2.0


def test_an_overlapping_upload_leaves_the_union_with_the_newer_values(levels, ingest):
    ingest(levels, FIRST)
    outcome = ingest(levels, SECOND)
    assert (outcome.counts.inserted, outcome.counts.updated, outcome.counts.unchanged) == (1, 1, 0)
    assert stored(levels) == {
        ("L1", "h", "2025-01-01T00:00:00+00:00"): 1.0,
        ("L1", "h", "2025-01-01T01:00:00+00:00"): 2.0,
        ("L1", "h", "2025-01-01T02:00:00+00:00"): 30.0,
        ("L1", "h", "2025-01-01T03:00:00+00:00"): 4.0,
        ("L2", "h", "2025-01-01T00:00:00+00:00"): 10.0,
    }


def test_reuploading_the_same_file_changes_nothing_and_says_so(levels, ingest):
    ingest(levels, FIRST)
    before = stored(levels)
    outcome = ingest(levels, FIRST)
    assert (outcome.counts.inserted, outcome.counts.updated, outcome.counts.unchanged) == (0, 0, 4)
    assert stored(levels) == before
    assert any("No stored data changed" in w for w in outcome.warnings)


def test_a_changed_flag_alone_counts_as_an_update(levels, ingest):
    ingest(levels, "location,parameter,timestamp,value,flag\nL1,h,2025-01-01,1.0,0\n")
    outcome = ingest(levels, "location,parameter,timestamp,value,flag\nL1,h,2025-01-01,1.0,3\n")
    assert (outcome.counts.updated, outcome.counts.unchanged) == (1, 0)


def test_other_data_sources_are_untouched(levels, make_source, ingest):
    other = make_source(name="Other").data_source
    ingest(other, FIRST)
    ingest(levels, SECOND)
    assert stored(other)[("L1", "h", "2025-01-01T02:00:00+00:00")] == 3.0


def test_duplicate_keys_in_one_upload_keep_the_last_and_warn(levels, ingest):
    text = FIRST + "L1,h,2025-01-01T01:00:00+00:00,99.0\n"
    outcome = ingest(levels, text)
    assert stored(levels)[("L1", "h", "2025-01-01T01:00:00+00:00")] == 99.0
    assert outcome.counts.inserted == 4
    assert any("1 row(s) repeated" in w for w in outcome.warnings)


def test_duplicates_of_stored_events_keep_the_last_of_the_upload(levels, ingest):
    ingest(levels, FIRST)
    text = SECOND + "L1,h,2025-01-01T02:00:00Z,31.0\n"
    outcome = ingest(levels, text)
    assert stored(levels)[("L1", "h", "2025-01-01T02:00:00+00:00")] == 31.0
    assert (outcome.counts.inserted, outcome.counts.updated) == (1, 1)


def test_series_summary_counts_and_spans_the_stored_events(levels, ingest):
    ingest(levels, FIRST)
    ingest(levels, SECOND)
    series = series_of(levels, "L1", "h")
    assert series.event_count == 4
    assert series.first_timestamp == datetime(2025, 1, 1, tzinfo=UTC)
    assert series.last_timestamp == datetime(2025, 1, 1, 3, tzinfo=UTC)


def test_a_rejected_upload_leaves_the_stored_data_exactly_as_it_was(levels, ingest):
    ingest(levels, FIRST)
    before = stored(levels)
    with pytest.raises(IngestFailed):
        ingest(levels, SECOND + "L1,h,not a time,5\n")
    assert stored(levels) == before
    assert series_of(levels, "L1", "h").event_count == 3


def test_skip_invalid_rows_stores_the_valid_rows_and_counts_the_rejected(levels, ingest):
    outcome = ingest(
        levels, SECOND + "L1,h,not a time,5\nL1,h,2025-01-02,NaN\n", on_error="skip_invalid_rows"
    )
    assert (outcome.counts.inserted, outcome.counts.rejected) == (2, 2)
    assert [p["line"] for p in outcome.problems] == [4, 5]


def test_a_new_unit_replaces_the_old_with_a_warning(levels, ingest):
    ingest(levels, "location,parameter,timestamp,value,unit\nL1,h,2025-01-01,1,cm\n")
    outcome = ingest(levels, "location,parameter,timestamp,value,unit\nL1,h,2025-01-02,1,m\n")
    assert series_of(levels, "L1", "h").unit == "m"
    assert any("changed from 'cm' to 'm'" in w for w in outcome.warnings)


def test_members_of_one_upload_merge_in_order(levels, ingest):
    outcome = ingest(levels, [("a.csv", "csv", FIRST), ("b.csv", "csv", SECOND)])
    assert outcome.counts.inserted == 5
    assert stored(levels)[("L1", "h", "2025-01-01T02:00:00+00:00")] == 30.0


def test_microsecond_timestamps_round_trip(levels, ingest):
    ingest(levels, "location,parameter,timestamp,value\nL1,h,2025-01-01T00:00:00.250Z,1\n")
    outcome = ingest(
        levels, "location,parameter,timestamp,value\nL1,h,2025-01-01T00:00:00.250Z,1\n"
    )
    assert outcome.counts.unchanged == 1
    assert list(stored(levels)) == [("L1", "h", "2025-01-01T00:00:00.250000+00:00")]


def test_deleting_a_data_source_deletes_its_series_and_events(levels, make_source, ingest):
    other = make_source(name="Other").data_source
    ingest(levels, FIRST)
    ingest(other, FIRST)
    levels.delete()
    assert len(stored(other)) == 4
    assert not Series.objects.filter(data_source_id=levels.pk).exists()
