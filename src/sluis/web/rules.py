"""A data source's own rules, in words, and an example file that follows them.

Reads the source's ``kind`` and ``ingest_settings`` dict and says what they mean to a supplier.
Which keys there are, their help texts and their allowed values come from the kind registry
(``sluis.kinds``: each kind's ``SettingKey``s), the one source of truth that also validates the
settings; this module only puts a set value in words (which columns, which delimiter and decimal
sign, which time zone naive times are read in, which CRS, which file name). The example file is
generated from the same settings, so that the source accepts it as is
(``tests/web/test_browser_scenarios.py`` feeds a Dutch-style one back through the real
processing; ``tests/web/test_rules.py`` checks the rules).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyproj import Transformer

from sluis.kinds import SettingKey, kind_find

# The example's measurements: two local mornings, so that a time zone shows in the times.
EXAMPLE_START = datetime(2026, 1, 5, 8, 0)
EXAMPLE_ROWS = 3
# The names of the signs that the delimiter and decimal settings allow (choices: the registry).
SIGN_NAMES = {
    ",": gettext_lazy("comma"),
    ";": gettext_lazy("semicolon"),
    "\t": gettext_lazy("tab"),
    "|": gettext_lazy("vertical bar"),
    ".": gettext_lazy("point"),
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
    """The source's rules in words: its formats, then one line per ingest-settings key its kind
    declares (``sluis.kinds``), in the kind's order. The topic is the key's help text from the
    registry (translated); the text is this source's value in words, or what happens without one.
    A key with nothing to say when unset (a layer, a fixed unit) shows only when set."""
    declared = kind_find(kind)
    rules = [Rule(_("Formats"), str(FORMATS.get(kind, "")))]
    for key in declared.settings if declared else ():
        text = _setting_text(kind, key, settings)
        if text:
            rules.append(Rule(setting_help(key), text))
    return rules


def setting_help(key: SettingKey) -> str:
    """The registry's help text of ``key`` in the active language (the Dutch catalogue holds every
    built-in key's text: ``tests/web/test_translations.py``)."""
    return _(key.help)


def _setting_text(kind: str, key: SettingKey, settings: dict[str, Any]) -> str:
    value = settings.get(key.name)
    words = _WORDS.get(key.name)
    if words is not None:
        return words(kind, key, value, settings)
    if value in (None, "", [], {}):
        return ""
    if key.choices:
        return _choice(key, value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _choice(key: SettingKey, value: Any) -> str:
    """A value of a key with allowed values; the first allowed value is the default."""
    chosen = value or key.choices[0]
    return str(CHOICE_WORDS.get((key.name, chosen)) or chosen)


def _columns(kind: str, key: SettingKey, value: Any, settings: dict[str, Any]) -> str:
    return ", ".join(example_header(kind=kind, settings=settings))


def _delimiter(kind: str, key: SettingKey, value: Any, settings: dict[str, Any]) -> str:
    if value:
        return _("%(name)s (%(sign)s)") % {"name": _sign_name(value), "sign": value}
    allowed = ", ".join(str(_sign_name(sign)) for sign in key.choices)
    return _("detected from the header (%(allowed)s)") % {"allowed": allowed}


def _decimal(kind: str, key: SettingKey, value: Any, settings: dict[str, Any]) -> str:
    if value:
        return _("%(name)s (%(example)s)") % {
            "name": _sign_name(value),
            "example": f"1{value}25",
        }
    return _("point (1.25); a comma too when fields are not comma-separated")


def _timestamp_format(kind: str, key: SettingKey, value: Any, settings: dict[str, Any]) -> str:
    return value or _("ISO 8601, e.g. 2026-01-05T08:00:00")


def _time_zone(kind: str, key: SettingKey, value: Any, settings: dict[str, Any]) -> str:
    if value:
        return _(
            "%(zone)s: times without an offset are read as %(zone)s local time; "
            "times with an offset (+01:00, Z) keep it"
        ) % {"zone": value}
    return _("UTC: times without an offset are read as UTC; times with an offset keep it")


def _source_crs(kind: str, key: SettingKey, value: Any, settings: dict[str, Any]) -> str:
    if value:
        return _("%(crs)s, whatever the file says") % {"crs": value}
    return _("as the file declares it (e.g. a .prj or the GeoTIFF's own)")


def _filename_pattern(kind: str, key: SettingKey, value: Any, settings: dict[str, Any]) -> str:
    if not value:
        return ""
    return _("like %(pattern)s, e.g. %(example)s") % {
        "pattern": value,
        "example": pattern_example(value),
    }


def _fixed(kind: str, key: SettingKey, value: Any, settings: dict[str, Any]) -> str:
    return _("always %(value)s") % {"value": value} if value else ""


def _with_choices(kind: str, key: SettingKey, value: Any, settings: dict[str, Any]) -> str:
    return _choice(key, value)


Words = Callable[[str, SettingKey, Any, dict[str, Any]], str]
# Keys whose value reads better in a sentence; every other key shows its value as set.
_WORDS: dict[str, Words] = {
    "columns": _columns,
    "delimiter": _delimiter,
    "decimal": _decimal,
    "timestamp_format": _timestamp_format,
    "timezone": _time_zone,
    "source_crs": _source_crs,
    "filename_pattern": _filename_pattern,
    "parameter": _fixed,
    "unit": _fixed,
    "on_error": _with_choices,
    "invalid_geometry": _with_choices,
}
# What an allowed value (``SettingKey.choices``) means to a supplier.
CHOICE_WORDS = {
    ("on_error", "reject_file"): gettext_lazy(
        "any problem refuses the whole file; nothing is stored"
    ),
    ("on_error", "skip_invalid_rows"): gettext_lazy(
        "bad rows are skipped and reported; the good rows are stored"
    ),
    ("invalid_geometry", "repair"): gettext_lazy("invalid geometries are repaired (make_valid)"),
    ("invalid_geometry", "reject"): gettext_lazy("an invalid geometry is a problem"),
}


def _sign_name(sign: str) -> str:
    return str(SIGN_NAMES.get(sign, sign))


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
