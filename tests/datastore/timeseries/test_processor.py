"""The timeseries processor as the engine calls it: formats, policies, and its error report."""

import pytest

from sluis.formats import records
from sluis.formats.errors import IngestFailed
from tests.datastore.timeseries.conftest import series_of, stored

HEAD = "location,parameter,timestamp,value\n"
PI = """<?xml version="1.0"?>
<TimeSeries xmlns="http://www.wldelft.nl/fews/PI" version="1.2"><timeZone>1.0</timeZone>
<series><header><locationId>L1</locationId><parameterId>H</parameterId><missVal>-999</missVal>
<units>m</units></header>
<event date="2025-01-01" time="01:00:00" value="1.5" flag="0"/>
<event date="2025-01-01" time="02:00:00" value="-999" flag="0"/>
</series></TimeSeries>
"""


def test_reject_file_fails_with_every_problem_located(levels, ingest):
    with pytest.raises(IngestFailed) as failure:
        ingest(
            levels, HEAD + "L1,h,2025-01-01,1\nL1,h,soon,2\nL1,h,2025-01-03,x\n", name="levels.csv"
        )
    assert failure.value.extra == {"problems": 2}
    assert stored(levels) == {}


def test_the_report_names_file_line_field_value_and_message(levels, ingest):
    outcome = ingest(
        levels, HEAD + "L1,h,soon,2\n", name="levels.csv", on_error="skip_invalid_rows"
    )
    assert outcome.problems == [
        {
            "file": "levels.csv",
            "line": 2,
            "field": "timestamp",
            "value": "soon",
            "message": "timestamp is not ISO 8601",
        }
    ]


def test_skip_invalid_rows_reads_on_past_an_unreadable_member(levels, ingest):
    members = [
        ("broken.csv", "csv", "no,header,here\n1,2,3\n"),
        ("good.csv", "csv", HEAD + "L1,h,2025-01-01,1\n"),
    ]
    outcome = ingest(levels, members, on_error="skip_invalid_rows")
    assert outcome.counts.inserted == 1
    assert outcome.problems[0]["file"] == "broken.csv"


def test_an_upload_with_nothing_readable_fails_whatever_the_policy(levels, ingest):
    with pytest.raises(IngestFailed, match="No file in the upload could be read"):
        ingest(levels, "", on_error="skip_invalid_rows")


def test_every_bad_row_is_reported_not_only_the_first_hundred(levels, ingest):
    text = HEAD + "L1,h,2025-01-01,1\n" + "L1,h,never,1\n" * 150
    outcome = ingest(levels, text, on_error="skip_invalid_rows")
    assert len(outcome.problems) == 150
    assert [p["line"] for p in outcome.problems] == list(range(3, 153))
    assert outcome.counts.rejected == 150
    assert outcome.counts.inserted == 1


def test_past_the_reports_room_problems_are_counted_not_kept(levels, ingest, monkeypatch):
    monkeypatch.setattr(records, "MAX_REPORT_ROWS", 40)
    text = HEAD + "L1,h,2025-01-01,1\n" + "L1,h,never,1\n" * 150
    with pytest.raises(IngestFailed, match="150 problem"):
        ingest(levels, text)


def test_pi_xml_is_stored_with_its_unit_and_flags(levels, ingest):
    outcome = ingest(levels, PI, "pi-xml")
    assert stored(levels) == {("L1", "H", "2025-01-01T00:00:00+00:00"): 1.5}
    assert series_of(levels, "L1", "H").unit == "m"
    assert any("1 row(s) without a value were skipped" in w for w in outcome.warnings)


def test_json_series_documents_are_stored(levels, ingest):
    doc = (
        '{"location": "L1", "parameter": "q", "events": [{"timestamp": "2025-01-01", "value": 2}]}'
    )
    assert ingest(levels, doc, "json").counts.inserted == 1


def test_wide_csv_is_stored_as_one_series_per_column(levels, ingest):
    ingest(levels, "timestamp;L1/h;L2/h\n2025-01-01 00:00;1,5;2,5\n")
    assert stored(levels) == {
        ("L1", "h", "2025-01-01T00:00:00+00:00"): 1.5,
        ("L2", "h", "2025-01-01T00:00:00+00:00"): 2.5,
    }


def test_the_data_source_time_zone_applies_to_naive_times(make_source, ingest):
    source = make_source(name="Local", ingest_settings={"timezone": "Europe/Amsterdam"}).data_source
    ingest(source, HEAD + "L1,h,2025-07-01 12:00,1\n")
    assert list(stored(source)) == [("L1", "h", "2025-07-01T10:00:00+00:00")]


def test_a_file_read_in_many_chunks_merges_like_one(levels, ingest, settings):
    settings.SLUIS_TIMESERIES_CHUNK_BYTES = 256
    rows = "".join(f"L{i % 3},h,2025-01-01T00:{i // 3 % 60:02d}:00Z,{i}\n" for i in range(300))
    outcome = ingest(levels, HEAD + rows)
    assert outcome.counts.inserted == 180
    assert any("120 row(s) repeated" in w for w in outcome.warnings)
    assert stored(levels)[("L0", "h", "2025-01-01T00:00:00+00:00")] == 180.0
