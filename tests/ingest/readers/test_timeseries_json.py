"""JSON timeseries: records, series documents, and problems named by their place."""

import json

from tests.ingest.readers.timeseries_helpers import read


def test_a_list_of_records_is_read(tmp_path):
    records = [
        {
            "location": "L1",
            "parameter": "h",
            "timestamp": "2025-01-01T00:00:00Z",
            "value": 1.5,
            "unit": "m",
            "flag": 2,
        }
    ]
    result = read(tmp_path, json.dumps(records), "json")
    assert result.events == [("L1", "h", "2025-01-01T00:00:00+00:00", 1.5, "2")]
    assert result.units == ["m"]


def test_series_documents_carry_their_events(tmp_path):
    docs = [
        {
            "location": "L1",
            "parameter": "h",
            "events": [
                {"timestamp": "2025-01-01", "value": 1},
                {"timestamp": "2025-01-02", "value": "2.5"},
            ],
        },
        {"location": "L2", "parameter": "q", "events": []},
    ]
    result = read(tmp_path, json.dumps(docs), "json")
    assert [(e[0], e[3]) for e in result.events] == [("L1", 1.0), ("L1", 2.5)]


def test_a_single_series_document_is_read(tmp_path):
    doc = {"location": "L1", "parameter": "h", "events": [{"timestamp": "2025-01-01", "value": 1}]}
    assert len(read(tmp_path, json.dumps(doc), "json").events) == 1


def test_null_values_are_skipped(tmp_path):
    doc = {
        "location": "L1",
        "parameter": "h",
        "events": [{"timestamp": "2025-01-01", "value": None}],
    }
    result = read(tmp_path, json.dumps(doc), "json")
    assert (result.events, result.skipped) == ([], 1)


def test_problems_name_the_record(tmp_path):
    docs = [
        {
            "location": "L1",
            "parameter": "h",
            "events": [{"timestamp": "2025-01-01", "value": 1}, {"timestamp": "soon", "value": 1}],
        },
        7,
    ]
    result = read(tmp_path, json.dumps(docs), "json")
    assert sorted((p["feature"], p["message"]) for p in result.problems) == [
        ("[0].events[1]", "timestamp is not ISO 8601"),
        ("[1]", "a record must be a JSON object"),
    ]


def test_invalid_json_is_a_file_problem_with_its_line(tmp_path):
    assert read(tmp_path, '[\n{"location": }', "json").file_error.startswith("invalid JSON")


def test_a_scalar_document_is_a_file_problem(tmp_path):
    assert "list of records" in read(tmp_path, "42", "json").file_error


def test_columns_setting_renames_json_keys(tmp_path):
    records = [{"loc": "L1", "par": "h", "t": "2025-01-01", "v": 3}]
    columns = {"location": "loc", "parameter": "par", "timestamp": "t", "value": "v"}
    assert read(tmp_path, json.dumps(records), "json", columns=columns).first[3] == 3.0
