"""The one parser of query parameters: every endpoint reads its integers, ids, booleans, choices,
coordinates, boxes and dates through these functions, so the same text gets the same answer
everywhere.

Every value is bounded before it reaches the database or date arithmetic: integers fit a signed
64-bit column (``BIGINT_MAX``; neither PostgreSQL nor SQLite can hold more, and a larger number
made the database driver fail), ids are ``1..BIGINT_MAX``, dates lie within years 1..9999 in UTC.
A value out of bounds or of the wrong form is ``InvalidParameter`` (400 ``invalid_parameter``)
whose ``detail`` names the parameter; it is never ignored and never a 500. Plain Python (Django's
date parser aside), no ORM.
"""

import math
import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Literal, overload

from django.utils.dateparse import parse_date, parse_datetime

from sluis.errors import InvalidParameter

BIGINT_MAX = 2**63 - 1
"""The largest integer a query parameter may carry: the largest a 64-bit database column holds."""

_SHOWN = 40  # a hostile value is quoted in the message only this far
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
# A '+' in an unencoded query string arrives as a space: "10:00:00 02:00" means "+02:00".
_SPACED_OFFSET = re.compile(r" (\d{2}(?::?\d{2})?)$")

Params = Mapping[str, str]


@overload
def query_int(
    params: Params, name: str, *, default: int, minimum: int = 0, maximum: int = BIGINT_MAX
) -> int: ...


@overload
def query_int(
    params: Params, name: str, *, default: None = None, minimum: int = 0, maximum: int = BIGINT_MAX
) -> int | None: ...


def query_int(
    params: Params,
    name: str,
    *,
    default: int | None = None,
    minimum: int = 0,
    maximum: int = BIGINT_MAX,
) -> int | None:
    """A whole number ``minimum..maximum`` written in ASCII digits, or ``default`` when absent."""
    raw = _raw(params, name)
    if raw is None:
        return default
    if raw.isascii() and raw.isdigit() and len(raw) <= len(str(BIGINT_MAX)):
        value = int(raw)
        if minimum <= value <= maximum:
            return value
    raise InvalidParameter(
        f"'{name}' must be a whole number from {minimum} to {maximum}, not {_quoted(raw)}."
    )


@overload
def query_id(params: Params, name: str, *, required: Literal[True]) -> int: ...


@overload
def query_id(params: Params, name: str, *, required: bool = False) -> int | None: ...


def query_id(params: Params, name: str, *, required: bool = False) -> int | None:
    """A row id (``1..BIGINT_MAX``); absent is None, or a 400 when ``required``."""
    value = query_int(params, name, minimum=1)
    if value is None and required:
        raise InvalidParameter(f"'{name}' is required.")
    return value


def query_ids(params: Params, name: str) -> list[int] | None:
    """A comma-separated list of ids (empty items skipped), or None when absent."""
    raw = _raw(params, name)
    if raw is None:
        return None
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    try:
        return [query_id({name: part}, name) for part in parts]  # type: ignore[misc]
    except InvalidParameter:
        raise InvalidParameter(
            f"'{name}' must be a comma-separated list of ids from 1 to {BIGINT_MAX}, "
            f"not {_quoted(raw)}."
        ) from None


def query_bool(params: Params, name: str) -> bool | None:
    """``true/1/yes`` or ``false/0/no`` (any case), or None when absent."""
    raw = _raw(params, name)
    if raw is None:
        return None
    try:
        return _BOOLEANS[raw.lower()]
    except KeyError:
        raise InvalidParameter(f"'{name}' must be true or false, not {_quoted(raw)}.") from None


def query_choice(params: Params, name: str, choices: Collection[str], default: str) -> str:
    """One of ``choices`` (compared as sent), or ``default`` when absent."""
    raw = _raw(params, name)
    if raw is None:
        return default
    if raw not in choices:
        raise InvalidParameter(f"'{name}' must be one of {', '.join(choices)}, not {_quoted(raw)}.")
    return raw


def query_number(params: Params, name: str, *, limit: float) -> float:
    """A required finite number within ``±limit`` (WGS84 degrees: 180 or 90)."""
    raw = _raw(params, name)
    if raw is None:
        raise InvalidParameter(f"'{name}' is required (WGS84 degrees).")
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not -limit <= value <= limit:
        raise InvalidParameter(
            f"'{name}' must be a number of degrees within ±{limit:g}, not {_quoted(raw)}."
        )
    return value


def query_bbox(
    params: Params,
    name: str = "bbox",
    *,
    crs_names: Collection[str] = (),
    antimeridian: bool = False,
) -> tuple[float, float, float, float] | None:
    """``min_lon,min_lat,max_lon,max_lat`` in WGS84 degrees, minimum first; a fifth item naming
    the CRS is accepted when it is one of ``crs_names`` (lower case; WFS appends one). With
    ``antimeridian``, ``min_lon > max_lon`` is a box across 180°; without, it is a 400."""
    raw = _raw(params, name)
    if raw is None:
        return None
    parts = [part.strip() for part in raw.split(",")]
    if crs_names and len(parts) == 5 and parts.pop().lower() not in crs_names:
        raise InvalidParameter(f"'{name}' must be in WGS84 (EPSG:4326, lon/lat order).")
    try:
        values = [float(part) for part in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InvalidParameter(
            f"'{name}' must be min_lon,min_lat,max_lon,max_lat in degrees, not {_quoted(raw)}."
        )
    min_lon, min_lat, max_lon, max_lat = values
    if not (-90 <= min_lat <= max_lat <= 90):
        raise InvalidParameter(f"'{name}' latitudes must lie within -90..90, the minimum first.")
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise InvalidParameter(f"'{name}' longitudes must lie within -180..180.")
    if min_lon > max_lon and not antimeridian:
        raise InvalidParameter(f"'{name}' must have min_lon <= max_lon.")
    return min_lon, min_lat, max_lon, max_lat


def query_datetime(params: Params, name: str) -> datetime | None:
    """ISO 8601 date or date-time, in UTC; naive values are UTC, a date alone its midnight UTC."""
    raw = _raw(params, name)
    if raw is None:
        return None
    text = _SPACED_OFFSET.sub(r"+\1", raw)
    try:
        value = parse_datetime(text)
        if value is None and (day := parse_date(text)) is not None:
            value = datetime.combine(day, time.min)
    except ValueError:
        value = None
    if value is None:
        raise InvalidParameter(
            f"'{name}' must be an ISO 8601 date or date-time such as 2024-05-01T12:00:00Z, "
            f"not {_quoted(raw)}."
        )
    return datetime_bounded(value, name)


def datetime_bounded(value: datetime, name: str) -> datetime:
    """``value`` in UTC (naive taken as UTC); a 400 naming ``name`` when that falls outside
    years 1..9999 (``9999-12-31T23:00:00-02:00`` does)."""
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:
        raise _out_of_range(name) from None


def datetime_shifted(moment: datetime, delta: timedelta | object, name: str) -> datetime:
    """``moment + delta`` (a ``timedelta`` or ``relativedelta``), a 400 naming ``name`` when the
    result falls outside years 1..9999."""
    try:
        return moment + delta  # type: ignore[operator]
    except (OverflowError, ValueError):
        raise _out_of_range(name) from None


def _out_of_range(name: str) -> InvalidParameter:
    return InvalidParameter(f"'{name}' lies outside the years 1 to 9999 (UTC).")


def _raw(params: Params, name: str) -> str | None:
    raw = params.get(name)
    if raw is None:
        return None
    raw = raw.strip()
    return raw or None


def _quoted(raw: str) -> str:
    return repr(raw if len(raw) <= _SHOWN else raw[:_SHOWN] + "…")
