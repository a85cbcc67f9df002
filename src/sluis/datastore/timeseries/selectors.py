"""Reading stored timeseries back: what a user may see, and the events of one series."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

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

    With ``query.bucket`` (``view=reduced``) each bucket of that length (aligned to the Unix
    epoch) contributes its minimum and its maximum event; sorting and slicing apply to those.
    """
    if query.bucket is not None:
        points = _reduced(_in_range(series, query).order_by("timestamp"), query.bucket)
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


def _reduced(events: QuerySet[Event], bucket: timedelta) -> list[tuple[datetime, float, str]]:
    size = bucket.total_seconds()
    points: list[tuple[datetime, float, str]] = []
    current, low, high = None, None, None
    for event in events.values_list("timestamp", "value", "flag").iterator(chunk_size=10_000):
        number = int(event[0].timestamp() // size)
        if number != current:
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


def events_copy_csv(*, series: Series, query: EventQuery) -> Iterator[bytes]:
    """PostgreSQL only, raw view: the CSV lines of ``events_list`` straight from ``COPY``.

    PostgreSQL formats timestamps and values itself, so reading a million events costs what the
    ``COPY … TO STDOUT`` anchor costs. Lines match the Python path exactly.
    """
    from psycopg import sql

    order = {
        "timestamp d": 'e."timestamp" DESC',
        "timestamp a": 'e."timestamp"',
        "value d": 'e.value DESC, e."timestamp"',
        "value a": 'e.value, e."timestamp"',
    }[query.sortby]
    where = [sql.SQL("e.series_id = {}").format(sql.Literal(series.pk))]
    if query.start is not None:
        where.append(sql.SQL('e."timestamp" >= {}').format(sql.Literal(query.start)))
    if query.end is not None:
        where.append(sql.SQL('e."timestamp" <= {}').format(sql.Literal(query.end)))
    statement = sql.SQL(
        "COPY (SELECT to_char(e.\"timestamp\" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || "
        "CASE WHEN date_part('microseconds', e.\"timestamp\")::bigint % 1000000 = 0 THEN '' "
        "ELSE to_char(e.\"timestamp\" AT TIME ZONE 'UTC', '.US') END || '+00', e.value "
        "FROM ts_event e WHERE {where} ORDER BY {order} LIMIT {limit} OFFSET {offset}) "
        "TO STDOUT (FORMAT csv)"
    ).format(
        where=sql.SQL(" AND ").join(where),
        order=sql.SQL(order),
        limit=sql.Literal(query.count),
        offset=sql.Literal(query.startindex),
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            yield bytes(block)
