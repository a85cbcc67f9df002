"""Query parameters of ``GET /files/``, parsed by ``sluis.params`` (bad values are 400s that
name the parameter)."""

from __future__ import annotations

from sluis.errors import InvalidParameter
from sluis.params import query_bbox, query_datetime, query_id

from ..selectors import BBox


def file_filters(params) -> dict:
    """Keyword arguments for ``files_filter`` from the query string."""
    start, end = query_datetime(params, "start"), query_datetime(params, "end")
    if start and end and start > end:
        raise InvalidParameter("'start' must not be later than 'end'.")
    bbox = query_bbox(params, "bbox", antimeridian=True)
    return {
        "name": (params.get("name") or "").strip() or None,
        "data_source": query_id(params, "data_source"),
        "start": start,
        "end": end,
        "bbox": None if bbox is None else BBox(*bbox),
    }
