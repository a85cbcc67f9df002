"""Reading stored timeseries back: what a user may see, and the events of one series."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from sluis.catalog.selectors import data_sources_readable
from sluis.datastore.timeseries.errors import TimeseriesNotFound
from sluis.datastore.timeseries.models import Event, Series

SORTS = {
    "timestamp d": ("-timestamp",),
    "timestamp a": ("timestamp",),
    "value d": ("-value", "timestamp"),
    "value a": ("value", "timestamp"),
}


def series_readable(*, user) -> QuerySet[Series]:
    """Series of the data sources ``user`` may read (see ``data_sources_readable``)."""
    return Series.objects.filter(data_source__in=data_sources_readable(user=user)).select_related(
        "data_source"
    )


def series_get_readable(*, user, series_id: int) -> Series:
    """One readable series; an unknown and an invisible series are the same 404."""
    series = series_readable(user=user).filter(pk=series_id).first()
    if series is None:
        raise TimeseriesNotFound()
    return series


@dataclass(frozen=True)
class EventQuery:
    """``GET /events/`` parameters, already validated (``api/params.py``)."""

    start: datetime | None = None
    end: datetime | None = None
    sortby: str = "timestamp d"
    startindex: int = 0
    count: int = 100_000
    bucket: timedelta | None = None  # view=reduced


def events_list(*, series: Series, query: EventQuery) -> Iterator[tuple[datetime, float, str]]:
    """(timestamp, value, flag) of one series in the range, sorted and sliced; streamed.

    With ``query.bucket`` (``view=reduced``, which needs ``query.start``) each bucket of that
    length, aligned to the start of the range as Nexus aligns them, contributes its minimum and
    its maximum event (one event when they are the same one; an empty bucket nothing); sorting
    and slicing apply to those.
    """
    if query.bucket is not None:
        if query.start is None:
            raise ValueError("view=reduced needs the start of the range to align its buckets")
        events = _in_range(series, query).order_by("timestamp")
        points = _reduced(events, bucket=query.bucket, origin=query.start)
        ordered = sorted(points, key=_sort_key(query.sortby))
        yield from ordered[query.startindex : query.startindex + query.count]
        return
    events = _in_range(series, query).order_by(*SORTS[query.sortby])
    window = events[query.startindex : query.startindex + query.count]
    yield from window.values_list("timestamp", "value", "flag").iterator(chunk_size=10_000)


def _in_range(series: Series, query: EventQuery) -> QuerySet[Event]:
    events = Event.objects.filter(series=series)
    if query.start is not None:
        events = events.filter(timestamp__gte=query.start)
    if query.end is not None:
        events = events.filter(timestamp__lte=query.end)
    return events


def _reduced(
    events: QuerySet[Event], *, bucket: timedelta, origin: datetime
) -> list[tuple[datetime, float, str]]:
    points: list[tuple[datetime, float, str]] = []
    current, low, high = None, None, None
    for event in events.values_list("timestamp", "value", "flag").iterator(chunk_size=10_000):
        number = (event[0] - origin) // bucket
        if number != current or low is None or high is None:
            points.extend(_bucket_points(low, high))
            current, low, high = number, event, event
            continue
        low = event if event[1] < low[1] else low
        high = event if event[1] > high[1] else high
    points.extend(_bucket_points(low, high))
    return points


def _bucket_points(low, high) -> list:
    if low is None:
        return []
    return [low] if low is high else sorted([low, high], key=lambda point: point[0])


def _sort_key(sortby: str):
    field, direction = sortby.split()
    if field == "timestamp":
        return (lambda p: -p[0].timestamp()) if direction == "d" else (lambda p: p[0])
    return (lambda p: (-p[1], p[0])) if direction == "d" else (lambda p: (p[1], p[0]))


_CSV_ORDER = {
    "timestamp d": 'e."timestamp" DESC',
    "timestamp a": 'e."timestamp"',
    "value d": 'e.value DESC, e."timestamp"',
    "value a": 'e.value, e."timestamp"',
}


def events_csv(*, series: Series, query: EventQuery) -> Iterator[bytes]:
    """The CSV lines (``2025-10-21 00:00:00+00,1.5``) of the raw view, streamed in blocks.

    Timestamps are written as PostgreSQL writes a ``timestamptz`` in UTC, which is the form the
    Nexus API shows: fractions of seconds only when present, trailing zeros dropped. On
    PostgreSQL the lines come straight out of ``COPY … TO STDOUT`` (as fast as the anchor); on
    SQLite from one plain query over the stored text.
    """
    if connection.vendor == "postgresql":
        return _copy_csv(series, query)
    return _sqlite_csv(series, query)


def _copy_csv(series: Series, query: EventQuery) -> Iterator[bytes]:
    from psycopg import sql

    where = [sql.SQL("e.series_id = {}").format(sql.Literal(series.pk))]
    if query.start is not None:
        where.append(sql.SQL('e."timestamp" >= {}').format(sql.Literal(query.start)))
    if query.end is not None:
        where.append(sql.SQL('e."timestamp" <= {}').format(sql.Literal(query.end)))
    statement = sql.SQL(
        'COPY (SELECT e."timestamp", e.value FROM ts_event e WHERE {where} ORDER BY {order} '
        "LIMIT {limit} OFFSET {offset}) TO STDOUT (FORMAT csv)"
    ).format(
        where=sql.SQL(" AND ").join(where),
        order=sql.SQL(_CSV_ORDER[query.sortby]),
        limit=sql.Literal(query.count),
        offset=sql.Literal(query.startindex),
    )
    with connection.cursor() as cursor:
        cursor.execute("SET TimeZone = 'UTC'")  # Django's setting too; never a surprise
        cursor.execute("SET DateStyle = 'ISO'")
        with cursor.cursor.copy(statement) as copy:
            for block in copy:
                yield bytes(block)


def _sqlite_csv(series: Series, query: EventQuery) -> Iterator[bytes]:
    where = ["e.series_id = %s"]
    params: list[Any] = [series.pk]
    adapt = connection.ops.adapt_datetimefield_value
    if query.start is not None:
        where.append('e."timestamp" >= %s')
        params.append(adapt(query.start))
    if query.end is not None:
        where.append('e."timestamp" <= %s')
        params.append(adapt(query.end))
    statement = (
        # "|| ''" keeps the stored text: Django's datetime converter only sees bare columns.
        "SELECT e.\"timestamp\" || '', e.value FROM ts_event e WHERE "  # noqa: S608 (constants)
        + " AND ".join(where)
        + f" ORDER BY {_CSV_ORDER[query.sortby]} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, query.count, query.startindex])
        while rows := cursor.fetchmany(10_000):
            yield "".join(
                f"{stamp.rstrip('0') if '.' in stamp else stamp}+00,{number_text(value)}\n"
                for stamp, value in rows
            ).encode()


def number_text(value: float) -> str:
    """Shortest exact text, as PostgreSQL writes a double: ``1`` rather than ``1.0``."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text
