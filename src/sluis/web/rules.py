"""A data source's own rules, in words, and an example file that follows them.

Reads the source's ``kind`` and ``ingest_settings`` dict (the keys validated by
``sluis.catalog.ingest_settings``) and says what they mean to a supplier: which columns, which
delimiter and decimal sign, which time zone naive times are read in, which CRS, which file name.
The example file is generated from the same settings, so that the source accepts it as is
(``tests/web/test_rules.py`` feeds every example back through the real processing).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyproj import Transformer

# The example's measurements: two local mornings, so that a time zone shows in the times.
EXAMPLE_START = datetime(2026, 1, 5, 8, 0)
EXAMPLE_ROWS = 3
DELIMITER_NAMES = {
    ",": gettext_lazy("comma"),
    ";": gettext_lazy("semicolon"),
    "\t": gettext_lazy("tab"),
    "|": gettext_lazy("vertical bar"),
}
FORMATS = {
    "timeseries": gettext_lazy("CSV (long or wide), JSON, Delft-FEWS PI-XML"),
    "vector": gettext_lazy(
        "GeoJSON, zipped Shapefile, GeoPackage, FlatGeobuf, KML, CSV with coordinates"
    ),
    "raster": gettext_lazy("GeoTIFF, NetCDF, ASCII grid (or a zip of many)"),
    "file": gettext_lazy("photos, documents, videos, spreadsheets (or a zip of many)"),
}


@dataclass(frozen=True)
class Rule:
    """One line of the rules: what it is about, and what this source expects."""

    topic: str
    text: str


@dataclass(frozen=True)
class ExampleFile:
    name: str
    content_type: str
    content: bytes


def source_rules(*, kind: str, settings: dict[str, Any]) -> list[Rule]:
    """The source's rules in words, most important first; every setting that is set shows."""
    rules = [Rule(_("Formats"), str(FORMATS.get(kind, "")))]
    if kind in ("timeseries", "vector"):
        rules += _table_rules(kind, settings)
    rules.append(_timezone_rule(settings))
    if kind in ("vector", "raster"):
        crs = settings.get("source_crs")
        rules.append(
            Rule(
                _("Coordinate system"),
                _("%(crs)s, whatever the file says") % {"crs": crs}
                if crs
                else _("as the file declares it (e.g. a .prj or the GeoTIFF's own)"),
            )
        )
    if settings.get("filename_pattern"):
        rules.append(
            Rule(
                _("File name"),
                _("like %(pattern)s, e.g. %(example)s")
                % {
                    "pattern": settings["filename_pattern"],
                    "example": pattern_example(settings["filename_pattern"]),
                },
            )
        )
    rules.append(_on_error_rule(settings))
    return rules


def _table_rules(kind: str, settings: dict[str, Any]) -> list[Rule]:
    rules = [Rule(_("Columns (CSV)"), ", ".join(example_header(kind=kind, settings=settings)))]
    delimiter = settings.get("delimiter")
    rules.append(
        Rule(
            _("Delimiter"),
            _("%(name)s (%(sign)s)") % {"name": DELIMITER_NAMES[delimiter], "sign": delimiter}
            if delimiter
            else _("detected from the header (comma, semicolon, tab or vertical bar)"),
        )
    )
    decimal = settings.get("decimal")
    rules.append(
        Rule(
            _("Decimal sign"),
            {",": _("comma (1,25)"), ".": _("point (1.25)")}.get(
                decimal, _("point (1.25); a comma too when fields are not comma-separated")
            ),
        )
    )
    if settings.get("timestamp_format"):
        rules.append(Rule(_("Time format"), settings["timestamp_format"]))
    elif kind == "timeseries":
        rules.append(Rule(_("Time format"), _("ISO 8601, e.g. 2026-01-05T08:00:00")))
    if settings.get("encoding"):
        rules.append(Rule(_("Text encoding"), settings["encoding"]))
    for key, label in (("parameter", _("Parameter")), ("unit", _("Unit"))):
        if settings.get(key):
            rules.append(Rule(label, _("always %(value)s") % {"value": settings[key]}))
    return rules


def _timezone_rule(settings: dict[str, Any]) -> Rule:
    zone = settings.get("timezone")
    if zone:
        text = _(
            "%(zone)s: times without an offset are read as %(zone)s local time; "
            "times with an offset (+01:00, Z) keep it"
        ) % {"zone": zone}
    else:
        text = _("UTC: times without an offset are read as UTC; times with an offset keep it")
    return Rule(_("Time zone"), text)


def _on_error_rule(settings: dict[str, Any]) -> Rule:
    if settings.get("on_error") == "skip_invalid_rows":
        return Rule(_("Bad rows"), _("are skipped and reported; the good rows are stored"))
    return Rule(_("Bad rows"), _("any problem refuses the whole file; nothing is stored"))


def pattern_example(pattern: str) -> str:
    """``pattern`` with its ``{timestamp:FORMAT}`` filled in from the example's first time."""
    return re.sub(r"\{timestamp:([^}]*)\}", lambda m: EXAMPLE_START.strftime(m.group(1)), pattern)


# --- the example file ---------------------------------------------------------------------------


def example_header(*, kind: str, settings: dict[str, Any]) -> list[str]:
    """The CSV header the source reads: its ``columns`` names, else the standard names."""
    names = settings.get("columns") or {}
    if kind == "vector":
        geometry = settings.get("geometry_columns") or {"lon": "lon", "lat": "lat"}
        id_field = settings.get("id_field") or "id"
        return [id_field, *geometry.values(), "name"]
    fields = ["location", "parameter", "timestamp", "value", "unit"]
    if settings.get("parameter"):
        fields.remove("parameter")
    if settings.get("unit"):
        fields.remove("unit")
    return [names.get(f, f) for f in fields]


def example_file(*, kind: str, name: str, settings: dict[str, Any]) -> ExampleFile | None:
    """A small file this source accepts as is, or None for kinds read from binary formats."""
    if kind == "timeseries":
        rows = _timeseries_rows(settings)
    elif kind == "vector":
        rows = _vector_rows(settings)
    else:
        return None
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=settings.get("delimiter") or ",", lineterminator="\n")
    writer.writerow(example_header(kind=kind, settings=settings))
    writer.writerows(rows)
    encoding = settings.get("encoding") or "utf-8"
    filename = f"example-{slugify(name) or kind}.csv"
    return ExampleFile(
        filename, f"text/csv; charset={encoding}", buffer.getvalue().encode(encoding)
    )


def _timeseries_rows(settings: dict[str, Any]) -> list[list[str]]:
    rows = []
    for step in range(EXAMPLE_ROWS):
        row = {
            "location": "LOC001",
            "parameter": "waterlevel",
            "timestamp": _example_time(EXAMPLE_START + timedelta(hours=step), settings),
            "value": _number(1.25 + step / 100, settings),
            "unit": "m",
        }
        rows.append([row[f] for f in _kept_fields(settings)])
    return rows


def _kept_fields(settings: dict[str, Any]) -> list[str]:
    return [
        f
        for f in ("location", "parameter", "timestamp", "value", "unit")
        if not (f in ("parameter", "unit") and settings.get(f))
    ]


def _vector_rows(settings: dict[str, Any]) -> list[list[str]]:
    geometry = settings.get("geometry_columns") or {"lon": "lon", "lat": "lat"}
    places = [("P1", 5.1214, 52.0907, "Utrecht"), ("P2", 4.4777, 51.9244, "Rotterdam")]
    crs = settings.get("source_crs")
    if crs:  # the example's places in the source's own coordinate system
        to_source = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        places = [(i, *to_source.transform(lon, lat), place) for i, lon, lat, place in places]
    rows = []
    for ident, lon, lat, place in places:
        if "wkt" in geometry:
            rows.append([ident, f"POINT ({lon} {lat})", place])
        else:
            rows.append([ident, _number(lon, settings), _number(lat, settings), place])
    return rows


def _example_time(value: datetime, settings: dict[str, Any]) -> str:
    """Naive local time when the source names a time zone (that is what it is for), else UTC."""
    if settings.get("timestamp_format"):
        return value.strftime(settings["timestamp_format"])
    if settings.get("timezone"):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(value: float, settings: dict[str, Any]) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if settings.get("decimal") == "," else text
