"""Query parameters of the OGC services. A bad value is a 400 naming it, never ignored.

OGC parameters are case-insensitive in WFS and WMS (``params_folded``) and case-sensitive in
OGC API - Features.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from django.http import QueryDict

from sluis.errors import InvalidParameter
from sluis.ogc.crs import CRS84, FEATURE_CRSS, BBox, Crs, UnknownCrs, crs_parse
from sluis.ogc.errors import UnsupportedCrs
from sluis.params import BIGINT_MAX, query_datetime, query_int


def params_folded(query: QueryDict) -> dict[str, str]:
    """Parameter names in lower case (WFS and WMS names are case-insensitive)."""
    return {key.lower(): str(value) for key, value in query.items()}


def whole(raw: str | None, name: str, *, default: int | None, minimum: int) -> int:
    """A whole number of at least ``minimum`` (``default`` when absent; None: required),
    through the shared parser's 64-bit bounds."""
    value = query_int({name: raw} if raw else {}, name, default=default, minimum=minimum)
    if value is None:
        raise InvalidParameter(f"'{name}' is required.")
    return value


def row_id(text: str) -> int | None:
    """A database id written in ``text``, or None when it cannot be one."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(BIGINT_MAX)):
        return None
    value = int(text)
    return value if 1 <= value <= BIGINT_MAX else None


def numbers(raw: str, name: str, count: int) -> list[float]:
    """``count`` finite comma-separated numbers."""
    parts = [part.strip() for part in raw.split(",")]
    try:
        values = [float(part) for part in parts]
    except ValueError:
        values = []
    if len(values) != count or not all(map(math.isfinite, values)):
        raise InvalidParameter(f"'{name}' must be {count} comma-separated numbers, not {raw!r}.")
    return values


def bbox_parse(raw: str, name: str) -> BBox:
    """``minx,miny,maxx,maxy`` (any CRS, in its axis order): four finite numbers, min <= max."""
    minx, miny, maxx, maxy = numbers(raw, name, 4)
    if minx > maxx or miny > maxy:
        raise InvalidParameter(f"'{name}' must have its lower corner first, not {raw!r}.")
    return (minx, miny, maxx, maxy)


def crs_param(raw: str | None, name: str, *, offered: tuple[Crs, ...] = FEATURE_CRSS) -> Crs:
    if raw is None or raw.strip() == "":
        return CRS84
    try:
        return crs_parse(raw, offered=offered)
    except UnknownCrs:
        names = ", ".join(crs.uri for crs in offered)
        raise UnsupportedCrs(f"'{name}' must be one of {names}, not {raw!r}.") from None


def datetime_interval(raw: str | None) -> tuple[datetime | None, datetime | None]:
    """An RFC 3339 instant or interval (``a/b``, ``../b``, ``a/..``) as inclusive UTC bounds.

    A date alone as the instant is that whole day; ``None, None`` when absent.
    """
    if raw is None or raw.strip() == "":
        return None, None
    text = raw.strip()
    if "/" not in text:
        instant = _instant(text)
        is_day = len(text) == 10
        return instant, instant + timedelta(days=1, seconds=-1) if is_day else instant
    low, _, high = text.partition("/")
    start, end = _open_end(low), _open_end(high)
    if start is not None and end is not None and start > end:
        raise InvalidParameter(f"'datetime' must not end before it starts, not {raw!r}.")
    if start is None and end is None:
        raise InvalidParameter("'datetime' must not be open at both ends.")
    return start, end


def _open_end(text: str) -> datetime | None:
    return None if text.strip() in {"", ".."} else _instant(text)


def instant_parse(text: str, name: str = "datetime") -> datetime:
    """An ISO 8601 date or date-time as UTC (naive is UTC); a 400 naming ``name`` otherwise."""
    value = query_datetime({name: text}, name)
    if value is None:  # pragma: no cover - text is never empty here
        raise InvalidParameter(f"'{name}' is empty.")
    return value.astimezone(UTC)


def _instant(text: str) -> datetime:
    return instant_parse(text, "datetime")


def layer_name(raw: str, name: str) -> str:
    """A layer named by alias or id (``prefix:`` allowed); an id beyond 64 bits is a 400."""
    bare = raw.strip().rsplit(":", 1)[-1]
    if bare.isdigit() and row_id(bare) is None:
        raise InvalidParameter(f"'{name}' must be an alias or an id from 1 to {BIGINT_MAX}.")
    return raw
