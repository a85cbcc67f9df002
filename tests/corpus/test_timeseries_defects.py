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


def _csv_rows(path, header_starts, delimiter=","):
    """The rows below the first line starting with ``header_starts`` (csv module, not Sluis)."""
    import csv
    import io

    text = path.read_bytes().decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    start = next(
        i for i, line in enumerate(lines) if line.lstrip("#").strip().startswith(header_starts)
    )
    rows = list(csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=delimiter))
    header = [name.strip() for name in rows[0]]
    return header, [dict(zip(header, row, strict=False)) for row in rows[1:] if any(row)]


def _events(api, user, series):
    url = f"/api/v1/events/?timeseries_id={series['id']}&token={user.token}"
    return b"".join(api.get(url).streaming_content).decode().splitlines()[1:]


def test_a_dinoloket_groundwater_export_is_read_out_of_the_box(api, supplier, make_source):
    path = CORPUS / "timeseries/hydropandas/dino2024_B44F0279001.csv"
    header, rows = _csv_rows(path, '"Locatie","Filternummer","Peildatum"')
    levels = [name for name in header if name.startswith("Stand")]
    expected = {(r["Peildatum"], name) for r in rows for name in levels if r.get(name, "").strip()}
    source, outcome = _upload(api, supplier, make_source, path)

    assert outcome.status == "processed", outcome.describe()
    assert outcome.upload.inserted == len(expected)
    series = _series(api, supplier, source)
    assert {s["location"] for s in series} == {"B44F0279-001"}
    assert {s["parameter"] for s in series} <= set(levels)
    assert {s["unit"] for s in series} == {"cm"}


def test_knmi_station_data_is_read_out_of_the_box_in_utc(api, supplier, make_source):
    path = CORPUS / "timeseries/hydropandas/knmi_neerslaggeg_DE-BILT_550.txt"
    header, rows = _csv_rows(path, "STN,YYYYMMDD")
    names = [n for n in header if n and n not in ("STN", "YYYYMMDD")]
    expected = sum(1 for r in rows for n in names if (r.get(n) or "").strip())
    source, outcome = _upload(api, supplier, make_source, path)

    assert outcome.status == "processed", outcome.describe()
    assert outcome.upload.inserted == expected
    series = {s["parameter"]: s for s in _series(api, supplier, source)}
    assert set(series) == {"RD", "SX"} and series["RD"]["location"] == "550"
    last = rows[-1]  # a day's precipitation: the 24 h ending at 08 UTC, dated by its day
    day = f"{last['YYYYMMDD'][:4]}-{last['YYYYMMDD'][4:6]}-{last['YYYYMMDD'][6:]}"
    assert f"{day} 00:00:00+00,{int(last['RD'])}" in _events(api, supplier, series["RD"])


def test_a_waterinfo_export_is_read_out_of_the_box_in_cet(api, supplier, make_source):
    path = CORPUS / "timeseries/hydropandas/waterinfo_20231023_017.csv"
    _, rows = _csv_rows(path, "MONSTER_IDENTIFICATIE", delimiter=";")
    expected = sum(1 for r in rows if r["NUMERIEKEWAARDE"] not in ("", "999999999"))
    source, outcome = _upload(api, supplier, make_source, path)

    assert outcome.status == "processed", outcome.describe()
    assert outcome.upload.inserted == expected
    (series,) = _series(api, supplier, source)
    assert (series["location"], series["parameter"], series["unit"]) == (
        "KRIMPADLK",
        "WATHTE",
        "cm",
    )
    # 01-01-2022 00:00:00 MET/CET is 23:00 UTC the day before
    assert "2021-12-31 23:00:00+00,43" in _events(api, supplier, series)


def test_a_pandas_csv_names_its_empty_index_header_with_the_columns_setting(
    api, supplier, make_source
):
    path = CORPUS / "timeseries/pastas/tswr1.csv"
    _, refused = _upload(api, supplier, make_source, path, {"parameter": "tswr"})
    assert refused.status == "refused"
    assert '"columns": {"timestamp"' in refused.message

    settings = {"columns": {"timestamp": ""}, "parameter": "tswr"}
    source = make_source(name="Pandas", kind="timeseries", ingest_settings=settings)
    outcome = corpus_upload(api=api, user=supplier, source=source, path=path)
    assert outcome.status == "processed", outcome.describe()
    assert outcome.upload.inserted == len(path.read_text().splitlines()) - 1
