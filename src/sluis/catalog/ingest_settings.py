"""Validation of a data source's ``ingest_settings``.

The settings are a JSON object; every key is optional. Each kind's reader documents the keys it
reads (docs/formats/<kind>.md). Unknown keys are refused so that a typo never silently does nothing.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError

# key -> (python types accepted, description)
KNOWN_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "columns": (dict, "column name mapping, e.g. {'timestamp': 'datum'}"),
    "delimiter": (str, "CSV delimiter: ',', ';' or '\\t' (auto-detected when absent)"),
    "decimal": (str, "decimal separator: '.' or ','"),
    "encoding": (str, "text encoding, e.g. 'utf-8' or 'latin-1' (auto-detected when absent)"),
    "timestamp_format": (str, "strptime format of timestamps (ISO 8601 when absent)"),
    "timezone": (str, "IANA time zone of naive timestamps (UTC when absent)"),
    "filename_pattern": (str, "e.g. 'evaporation_{timestamp:%Y-%m-%d}.tif'"),
    "parameter": (str, "fixed parameter (wide CSV, rasters)"),
    "unit": (str, "fixed unit"),
    "variable": (str, "NetCDF variable"),
    "layer": (str, "GeoPackage layer"),
    "id_field": (str, "vector feature id field"),
    "source_crs": (str, "CRS override, e.g. 'EPSG:28992'"),
    "geometry_columns": (dict, "CSV geometry columns: {'lon':..,'lat':..} or {'wkt':..}"),
    "invalid_geometry": (str, "'repair' (default) or 'reject'"),
    "on_error": (str, "'reject_file' (default) or 'skip_invalid_rows'"),
    "allowed_types": (list, "file kinds: allowed content types"),
}
ON_ERROR_CHOICES = {"reject_file", "skip_invalid_rows"}


def validate_ingest_settings(value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError("Ingest settings must be a JSON object.")
    for key, item in value.items():
        if key not in KNOWN_KEYS:
            known = ", ".join(sorted(KNOWN_KEYS))
            raise ValidationError(f"Unknown ingest setting {key!r}; known settings: {known}.")
        types, description = KNOWN_KEYS[key]
        if not isinstance(item, types):
            raise ValidationError(f"Ingest setting {key!r} has the wrong type ({description}).")
    _validate_choices(value)


def _validate_choices(value: dict) -> None:
    if value.get("on_error", "reject_file") not in ON_ERROR_CHOICES:
        raise ValidationError(
            "Ingest setting 'on_error' must be 'reject_file' or 'skip_invalid_rows'."
        )
    if "timezone" in value:
        try:
            ZoneInfo(value["timezone"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(f"Unknown time zone {value['timezone']!r}.") from exc
    if value.get("delimiter", ",") not in {",", ";", "\t", "|"}:
        raise ValidationError("Ingest setting 'delimiter' must be ',', ';', '|' or a tab.")
    if value.get("decimal", ".") not in {".", ","}:
        raise ValidationError("Ingest setting 'decimal' must be '.' or ','.")
    if value.get("invalid_geometry", "repair") not in {"repair", "reject"}:
        raise ValidationError("Ingest setting 'invalid_geometry' must be 'repair' or 'reject'.")
