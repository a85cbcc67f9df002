"""Parsing of ``GET /events/`` query parameters, as the Nexus events API names them.

``range=<start>/<end>``: each side an ISO 8601 instant (naive = UTC) or a duration relative to
now (``-P3M``, ``+P0M``, ``PT6H``); either side may be empty (open). ``bucket_interval`` is an
ISO 8601 duration of fixed length (weeks, days, hours, minutes, seconds). ``view=reduced``
needs a ``range`` with a start, as Nexus does: its buckets are aligned to that start.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings

from sluis.datastore.timeseries.selectors import SORTS, EventQuery
from sluis.errors import InvalidParameter
from sluis.params import datetime_bounded, datetime_shifted, query_choice, query_int

_DURATION = re.compile(
    r"^(?P<sign>[+-])?P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?"
    r"(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def event_query(params, *, now: datetime | None = None) -> EventQuery:
    """Validate the query parameters into an ``EventQuery``; a bad one is a 400 naming it."""
    now = now or datetime.now(UTC)
    start, end = _range((params.get("range") or "").strip(), now)
    bucket = _bucket(params)
    if bucket is not None and start is None:
        raise InvalidParameter(
            "view=reduced needs 'range' with a start (buckets are aligned to it), such as"
            " 2025-01-01T00:00:00Z/2025-02-01T00:00:00Z or -P7D/."
        )
    sortby = " ".join(params.get("sortby", "timestamp d").lower().split())
    if sortby not in SORTS:
        raise InvalidParameter(f"'sortby' must be one of {', '.join(SORTS)}; not {sortby!r}.")
    return EventQuery(
        start=start,
        end=end,
        sortby=sortby,
        startindex=query_int(params, "startindex", default=0),
        count=query_int(params, "count", default=100_000, maximum=settings.SLUIS_EVENTS_MAX_COUNT),
        bucket=bucket,
    )


def _range(raw: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    if not raw:
        return None, None
    start, slash, end = raw.partition("/")
    if not slash:
        raise InvalidParameter(f"'range' must be '<start>/<end>', not {raw!r}.")
    first, last = _moment(start.strip(), now), _moment(end.strip(), now)
    if first and last and first > last:
        raise InvalidParameter(f"'range' starts after it ends: {raw!r}.")
    return first, last


def _moment(text: str, now: datetime) -> datetime | None:
    if not text:
        return None
    match = _DURATION.match(text.replace(" ", "+"))
    if match and text.lstrip("+-") != "P":
        delta = _delta(match, "range")
        return datetime_shifted(now, -delta if match["sign"] == "-" else delta, "range")
    try:
        moment = datetime.fromisoformat(text.replace(" ", "+") if "T" in text else text)
    except ValueError:
        raise InvalidParameter(
            f"'range' bound {text[:40]!r} is neither an ISO 8601 time nor a duration like -P3M."
        ) from None
    return datetime_bounded(moment, "range")


def _delta(match: re.Match, name: str) -> relativedelta:
    """The duration ``match`` spells; a 400 naming ``name`` when no date could be that far."""
    parts = {k: v for k, v in match.groupdict().items() if k != "sign" and v is not None}
    try:
        seconds = float(parts.pop("seconds", 0))
        return relativedelta(**{k: int(v) for k, v in parts.items()}, seconds=seconds)
    except (OverflowError, ValueError):
        raise InvalidParameter(f"'{name}' lies outside the years 1 to 9999 (UTC).") from None


def _bucket(params) -> timedelta | None:
    if query_choice(params, "view", ("raw", "reduced"), default="raw") == "raw":
        return None
    raw = params.get("bucket_interval", "")
    match = _DURATION.match(raw)
    if not raw or not match or match["sign"] or match["years"] or match["months"]:
        raise InvalidParameter(
            "view=reduced needs 'bucket_interval', a fixed ISO 8601 duration such as PT1H or P1D"
            f"; not {raw[:40]!r}."
        )
    delta = _delta(match, "bucket_interval")
    try:
        bucket = timedelta(
            days=delta.days,
            hours=delta.hours,
            minutes=delta.minutes,
            seconds=delta.seconds,
            microseconds=delta.microseconds,
        )
    except OverflowError:
        raise InvalidParameter("'bucket_interval' is longer than any stored series.") from None
    if bucket.total_seconds() < 1:
        raise InvalidParameter(f"'bucket_interval' must be at least one second, not {raw!r}.")
    return bucket
