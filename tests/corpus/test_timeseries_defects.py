"""Issue 16's timeseries defects, on real files: PI-JSON, ensembles and qualifiers, empty
PI documents."""

import json

import pytest

from tests.corpus.cases import CORPUS
from tests.corpus.expectations import pi_json_event_count
from tests.corpus.runner import corpus_upload

pytestmark = pytest.mark.django_db


def _upload(api, user, make_source, path, settings=None):
    source = make_source(name="Levels", kind="timeseries", ingest_settings=settings or {})
    return source, corpus_upload(api=api, user=user, source=source, path=path)


def _series(api, user, source):
    url = f"/api/v1/timeseries/?data_source={source.data_source.pk}&token={user.token}"
    return api.get(url).json()["results"]


def test_a_pi_json_export_is_read_with_its_time_zone_qualifier_and_unit(api, supplier, make_source):
    path = CORPUS / "timeseries/fewspy/pi_time_series.json"
    source, outcome = _upload(api, supplier, make_source, path)

    assert outcome.status == "processed", outcome.describe()
    assert outcome.upload.inserted == pi_json_event_count(path)
    header = json.loads(path.read_text())["timeSeries"][0]["header"]
    series = {(s["location"], s["parameter"]): s for s in _series(api, supplier, source)}
    first = series[(header["locationId"], "WATHTE [m] [NAP] [OW] (validatie)")]
    assert first["unit"] == "m"
    url = f"/api/v1/events/?timeseries_id={first['id']}&token={supplier.token}"
    csv_lines = b"".join(api.get(url).streaming_content).decode().splitlines()
    # "2022-05-01 00:00:00" at timeZone 1.0 is 23:00 UTC the day before
    assert "2022-04-30 23:00:00+00,-0.95" in csv_lines


def test_a_pi_document_without_events_says_so(api, supplier, make_source):
    path = CORPUS / "timeseries/fewspy/sample_only_headers.xml"
    _, outcome = _upload(api, supplier, make_source, path)

    assert outcome.status == "processed", outcome.describe()
    assert "the upload holds no events" in outcome.message
    assert "already stored" not in outcome.message


def test_ensemble_members_and_qualifiers_are_distinct_series(api, supplier, make_source, tmp_path):
    """No public PI-XML ensemble small enough was at hand: the header fields are those of the
    FEWS ESP exports (ensembleId, ensembleMemberIndex, qualifierId)."""
    members = "".join(
        f"""<series><header><type>instantaneous</type><locationId>DKKC2</locationId>
        <parameterId>QINE</parameterId><qualifierId>SIM1</qualifierId>
        <ensembleId>ESP</ensembleId><ensembleMemberIndex>{year}</ensembleMemberIndex>
        <missVal>NaN</missVal><units>CFS</units></header>
        <event date="2016-01-04" time="18:00:00" value="{value}" flag="2"/></series>"""
        for year, value in ((1949, 9.6), (1950, 8.1))
    )
    path = tmp_path / "esp.xml"
    path.write_text(
        '<?xml version="1.0"?><TimeSeries xmlns="http://www.wldelft.nl/fews/PI">'
        f"<timeZone>0.0</timeZone>{members}</TimeSeries>"
    )
    source, outcome = _upload(api, supplier, make_source, path)

    assert outcome.status == "processed", outcome.describe()
    assert outcome.upload.inserted == 2
    assert "repeated" not in outcome.message
    parameters = sorted(s["parameter"] for s in _series(api, supplier, source))
    assert parameters == ["QINE (SIM1) member 1949", "QINE (SIM1) member 1950"]
