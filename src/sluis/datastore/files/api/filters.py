"""Query parameters of ``GET /files/``. Bad values are 400s that name the parameter."""

from __future__ import annotations

import math

from sluis.errors import InvalidParameter
from sluis.params import query_datetime

from ..selectors import BBox


def parse_bbox(params) -> BBox | None:
    """``min_lon,min_lat,max_lon,max_lat`` in WGS84 degrees."""
    raw = (params.get("bbox") or "").strip()
    if not raw:
        return None
    try:
        values = [float(part) for part in raw.split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InvalidParameter(
            f"'bbox' must be min_lon,min_lat,max_lon,max_lat in degrees, not {raw!r}."
        )
    bbox = BBox(*values)
    if not (-90 <= bbox.min_lat <= bbox.max_lat <= 90):
        raise InvalidParameter("'bbox' latitudes must lie within -90..90, the minimum first.")
    if not (-180 <= bbox.min_lon <= 180 and -180 <= bbox.max_lon <= 180):
        raise InvalidParameter("'bbox' longitudes must lie within -180..180.")
    return bbox


def parse_id(params, name: str) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidParameter(f"'{name}' must be a data source id, not {raw!r}.")
    return int(raw)


def file_filters(params) -> dict:
    """Keyword arguments for ``files_filter`` from the query string."""
    start, end = query_datetime(params, "start"), query_datetime(params, "end")
    if start and end and start > end:
        raise InvalidParameter("'start' must not be later than 'end'.")
    return {
        "name": (params.get("name") or "").strip() or None,
        "data_source": parse_id(params, "data_source"),
        "start": start,
        "end": end,
        "bbox": parse_bbox(params),
    }
