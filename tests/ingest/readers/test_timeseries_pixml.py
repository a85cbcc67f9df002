"""Delft-FEWS PI-XML: headers, time zone, missing values, flags; hostile XML refused."""

from tests.ingest.readers.timeseries_helpers import read

PI = """<?xml version="1.0" encoding="UTF-8"?>
<TimeSeries xmlns="http://www.wldelft.nl/fews/PI" version="1.2">
  {tz}
  <series>
    <header>
      <type>instantaneous</type>
      <locationId>L1</locationId>
      <parameterId>H.meting</parameterId>
      <timeStep unit="second" multiplier="3600"/>
      <missVal>-999.0</missVal>
      <units>m</units>
    </header>
    <event date="2025-01-01" time="00:00:00" value="1.25" flag="0"/>
    <event date="2025-01-01" time="01:00:00" value="-999" flag="8"/>
    <event date="2025-01-01" time="02:00:00" value="oops" flag="0"/>
  </series>
  <series>
    <header><locationId>L2</locationId><parameterId>Q</parameterId></header>
    <event date="2025-07-01" time="12:00:00" value="NaN"/>
    <event date="2025-07-01" time="13:00:00" value="3"/>
  </series>
</TimeSeries>
"""


def test_events_take_location_parameter_unit_and_flag_from_the_header(tmp_path):
    result = read(tmp_path, PI.format(tz="<timeZone>1.0</timeZone>"), "pi-xml")
    assert result.events[0] == ("L1", "H.meting", "2024-12-31T23:00:00+00:00", 1.25, "0")
    assert result.units[0] == "m"
    assert result.lines[0] == 13


def test_miss_val_and_nan_are_skipped_and_bad_values_are_problems(tmp_path):
    result = read(tmp_path, PI.format(tz="<timeZone>0.0</timeZone>"), "pi-xml")
    assert [(e[0], e[3]) for e in result.events] == [("L1", 1.25), ("L2", 3.0)]
    assert result.skipped == 2
    assert [(p["line"], p["value"]) for p in result.problems] == [(15, "oops")]


def test_without_a_time_zone_the_source_time_zone_applies(tmp_path):
    result = read(tmp_path, PI.format(tz=""), "pi-xml", timezone="Europe/Amsterdam")
    assert result.events[-1][2] == "2025-07-01T11:00:00+00:00"


def test_malformed_xml_is_a_file_problem_with_its_line(tmp_path):
    text = PI.format(tz="").replace("</series>\n  <series>", "</serie>\n  <series>")
    assert "malformed XML near line" in read(tmp_path, text, "pi-xml").file_error


def test_entity_expansion_is_refused(tmp_path):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        "<TimeSeries><series><header><locationId>&lol2;</locationId></header></series></TimeSeries>"
    )
    assert "refused XML construct" in read(tmp_path, bomb, "pi-xml").file_error


def test_another_xml_document_is_a_file_problem(tmp_path):
    assert "no <TimeSeries> root" in read(tmp_path, "<kml/>", "pi-xml").file_error
