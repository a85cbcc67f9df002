"""``GET /timeseries/`` and ``GET /events/``: what readers see, in the Nexus shapes."""

import json

import pytest

from tests.datastore.timeseries.conftest import series_of

HOURS = "location,parameter,timestamp,value\n" + "".join(
    f"L1,h,2025-01-01T{hour:02d}:00:00Z,{value}\n"
    for hour, value in enumerate([5.0, 1.0, 3.0, 8.0, 2.0, 7.0])
)


@pytest.fixture
def series(levels, ingest):
    ingest(levels, HOURS)
    return series_of(levels, "L1", "h")


def events(api, user, **params):
    response = api.get("/api/v1/events/", {"token": user.token, **params})
    body = b"".join(response.streaming_content).decode() if response.streaming else None
    return response, body


def test_events_are_csv_newest_first_with_nexus_timestamps(api, consumer, series):
    response, body = events(api, consumer, timeseries_id=series.pk)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = body.splitlines()
    assert lines[0] == "timestamp,value"
    assert lines[1] == "2025-01-01 05:00:00+00,7"
    assert len(lines) == 7


def test_the_reference_flow_leaves_the_union_with_newer_values(api, consumer, levels, ingest):
    ingest(
        levels,
        "location,parameter,timestamp,value\nL1,h,2025-01-01T00:00:00Z,1\nL1,h,2025-01-01T01:00:00Z,2\n",
    )
    ingest(
        levels,
        "location,parameter,timestamp,value\nL1,h,2025-01-01T01:00:00Z,20\nL1,h,2025-01-01T02:00:00Z,3\n",
    )
    _, body = events(
        api, consumer, timeseries_id=series_of(levels, "L1", "h").pk, sortby="timestamp a"
    )
    assert body.splitlines()[1:] == [
        "2025-01-01 00:00:00+00,1",
        "2025-01-01 01:00:00+00,20",
        "2025-01-01 02:00:00+00,3",
    ]


@pytest.mark.parametrize(
    ("sortby", "first"),
    [
        ("timestamp a", "00:00"),
        ("timestamp d", "05:00"),
        ("value a", "01:00"),
        ("value d", "03:00"),
    ],
)
def test_sortby_orders_the_events(api, consumer, series, sortby, first):
    _, body = events(api, consumer, timeseries_id=series.pk, sortby=sortby)
    assert body.splitlines()[1].startswith(f"2025-01-01 {first}")


def test_count_and_startindex_page_through_the_events(api, consumer, series):
    _, body = events(
        api, consumer, timeseries_id=series.pk, sortby="timestamp a", startindex=2, count=2
    )
    assert [line[11:16] for line in body.splitlines()[1:]] == ["02:00", "03:00"]


def test_an_absolute_range_includes_both_ends(api, consumer, series):
    _, body = events(
        api, consumer, timeseries_id=series.pk, range="2025-01-01T01:00:00Z/2025-01-01T03:00:00Z"
    )
    assert len(body.splitlines()) == 4


def test_a_relative_range_counts_back_from_now(api, consumer, series):
    _, recent = events(api, consumer, timeseries_id=series.pk, range="-P3M/+P0M")
    _, old = events(api, consumer, timeseries_id=series.pk, range="-P100Y/+P0M")
    assert len(recent.splitlines()) == 1
    assert len(old.splitlines()) == 7


def test_reduced_view_gives_min_and_max_per_bucket_aligned_to_the_range_start(
    api, consumer, series
):
    _, body = events(
        api,
        consumer,
        timeseries_id=series.pk,
        view="reduced",
        bucket_interval="PT3H",
        range="2025-01-01T00:00:00Z/2025-01-01T07:00:00Z",
        sortby="timestamp a",
    )
    assert body.splitlines()[1:] == [
        "2025-01-01 00:00:00+00,5",
        "2025-01-01 01:00:00+00,1",
        "2025-01-01 03:00:00+00,8",
        "2025-01-01 04:00:00+00,2",
    ]


def test_reduced_buckets_start_at_the_left_edge_of_the_range_as_in_nexus(api, consumer, series):
    """Range 01:00-07:00 with PT3H: buckets 01:00-04:00 and 04:00-07:00, not 00:00 and 03:00."""
    _, body = events(
        api,
        consumer,
        timeseries_id=series.pk,
        view="reduced",
        bucket_interval="PT3H",
        range="2025-01-01T01:00:00Z/2025-01-01T07:00:00Z",
        sortby="timestamp a",
    )
    assert body.splitlines()[1:] == [
        "2025-01-01 01:00:00+00,1",  # 01:00-04:00 holds 1, 3, 8
        "2025-01-01 03:00:00+00,8",
        "2025-01-01 04:00:00+00,2",  # 04:00-07:00 holds 2, 7
        "2025-01-01 05:00:00+00,7",
    ]


def test_reduced_gives_a_lone_event_once_and_empty_buckets_nothing(api, consumer, series):
    _, body = events(
        api,
        consumer,
        timeseries_id=series.pk,
        view="reduced",
        bucket_interval="PT1H",
        range="2024-12-31T22:00:00Z/2025-01-01T01:30:00Z",
        sortby="timestamp a",
        format="json",
    )
    assert [point["timestamp"] for point in json.loads(body)] == [
        "2025-01-01T00:00:00Z",
        "2025-01-01T01:00:00Z",
    ]


@pytest.mark.parametrize("range_", [None, "/2025-01-02T00:00:00Z"])
def test_reduced_without_a_range_start_is_a_400_naming_range(api, consumer, series, range_):
    params = {"timeseries_id": series.pk, "view": "reduced", "bucket_interval": "PT3H"}
    if range_ is not None:
        params["range"] = range_
    response = api.get("/api/v1/events/", {"token": consumer.token, **params})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"
    assert "'range'" in response.json()["detail"]


def test_json_format_lists_timestamp_value_and_flag(api, consumer, series):
    response, body = events(api, consumer, timeseries_id=series.pk, format="json", count=1)
    assert response["Content-Type"] == "application/json"
    assert json.loads(body) == [{"timestamp": "2025-01-01T05:00:00Z", "value": 7.0, "flag": ""}]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"timeseries_id": "abc"},
        {"count": "-1"},
        {"startindex": "x"},
        {"sortby": "value up"},
        {"range": "yesterday"},
        {"range": "2025-02-01/2025-01-01"},
        {"view": "reduced"},
        {"view": "reduced", "bucket_interval": "P1M"},
        {"format": "xml"},
        {"count": "999999999999"},
    ],
)
def test_bad_parameters_are_400_naming_the_problem(api, consumer, series, params):
    params = (
        {"timeseries_id": series.pk, **params}
        if "timeseries_id" not in params and params
        else params
    )
    response = api.get("/api/v1/events/", {"token": consumer.token, **params})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"


def test_a_private_source_is_invisible_to_other_organizations(
    api, outsider, make_source, ingest, other_org
):
    source = make_source(name="Secret", private=True).data_source
    ingest(source, HOURS)
    response, _ = events(api, outsider, timeseries_id=series_of(source, "L1", "h").pk)
    assert response.status_code == 404
    assert response.json()["code"] == "timeseries_not_found"


def test_consumers_of_other_organizations_read_public_sources(api, series, other_org):
    from sluis.accounts.services import token_create, user_create

    reader = user_create(
        username="reader", organization=other_org, display_name="R", data_consumer=True
    )
    reader.token = token_create(user=reader).secret
    response, _ = events(api, reader, timeseries_id=series.pk)
    assert response.status_code == 200


def test_events_need_a_token(api, series):
    response = api.get("/api/v1/events/", {"timeseries_id": series.pk})
    assert response.status_code == 403


def test_timeseries_lists_series_with_count_and_span(api, consumer, series, levels):
    response = api.get("/api/v1/timeseries/", {"token": consumer.token, "data_source": levels.pk})
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": series.pk,
            "data_source": levels.pk,
            "location": "L1",
            "parameter": "h",
            "unit": "",
            "count": 6,
            "first_timestamp": "2025-01-01T00:00:00Z",
            "last_timestamp": "2025-01-01T05:00:00Z",
        }
    ]


def test_timeseries_filters_by_location_and_parameter(api, consumer, levels, ingest):
    ingest(
        levels,
        "location,parameter,timestamp,value\nA,h,2025-01-01,1\nB,h,2025-01-01,1\nA,q,2025-01-01,1\n",
    )
    response = api.get(
        "/api/v1/timeseries/", {"token": consumer.token, "location": "A", "parameter": "q"}
    )
    assert [(s["location"], s["parameter"]) for s in response.json()["results"]] == [("A", "q")]


def test_timeseries_hides_private_sources_of_other_organizations(
    api, outsider, make_source, ingest
):
    ingest(make_source(name="Secret", private=True).data_source, HOURS)
    response = api.get("/api/v1/timeseries/", {"token": outsider.token})
    assert response.json()["count"] == 0


def test_csv_writes_fractions_of_seconds_and_values_exactly(api, consumer, levels, ingest):
    rows = (
        "L9,h,2025-01-01T00:00:00.25Z,0.1\n"
        "L9,h,2025-01-01T00:00:01Z,-1e-05\n"
        "L9,h,1969-12-31T23:59:59.5Z,12.5\n"
    )
    ingest(levels, "location,parameter,timestamp,value\n" + rows)
    series = series_of(levels, "L9", "h")
    _, body = events(api, consumer, timeseries_id=series.pk, sortby="timestamp a")
    assert body.splitlines()[1:] == [
        "1969-12-31 23:59:59.5+00,12.5",
        "2025-01-01 00:00:00.25+00,0.1",
        "2025-01-01 00:00:01+00,-1e-05",
    ]


def test_timeseries_needs_a_token(api, series):
    response = api.get("/api/v1/timeseries/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_an_open_ended_range_keeps_everything_after_its_start(api, consumer, series):
    _, body = events(api, consumer, timeseries_id=series.pk, range="2025-01-01T04:00:00Z/")
    assert len(body.splitlines()) == 3
