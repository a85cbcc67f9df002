"""Writing stored timeseries: series upkeep around the bulk merge (``bulk.py``)."""

from __future__ import annotations

from django.db import connection, transaction

from sluis.datastore.timeseries.bulk import MergeResult, Stager
from sluis.datastore.timeseries.models import Series

_CHUNK = 500


def events_merge(
    *, data_source, stager: Stager, keys: list[tuple[str, str]], units: dict[int, str]
) -> tuple[MergeResult, list[str]]:
    """Merge the staged events of one upload in one transaction; returns counts and warnings.

    ``keys[i]`` is the (location, parameter) of key index ``i`` used while staging; ``units``
    maps key indexes to the unit the upload gave. Series are created as needed.
    """
    with transaction.atomic():
        stored = Series.objects.filter(data_source=data_source).values_list("pk", flat=True)
        series_before = list(stored)
        mapping, warnings = series_resolve(data_source=data_source, keys=keys, units=units)
        new = set(mapping.values()) - set(series_before)
        result = stager.merge(
            mapping, all_new=bool(mapping) and len(new) == len(set(mapping.values()))
        )
        series_summaries_update(result=result)
    return result, warnings


def series_resolve(
    *, data_source, keys: list[tuple[str, str]], units: dict[int, str]
) -> tuple[dict[int, int], list[str]]:
    """Get or create the series of every key; a changed unit is kept and warned about."""
    found = _existing(data_source, keys)
    missing = [key for key in dict.fromkeys(keys) if key not in found]
    index = {key: i for i, key in enumerate(keys)}
    Series.objects.bulk_create(
        [
            Series(
                data_source=data_source,
                location=loc,
                parameter=par,
                unit=units.get(index[(loc, par)], ""),
            )
            for loc, par in missing
        ],
        batch_size=_CHUNK,
    )
    found.update(_existing(data_source, missing))
    warnings = _units_update(found, index, units)
    return {i: found[key].pk for i, key in enumerate(keys)}, warnings


def _existing(data_source, keys) -> dict[tuple[str, str], Series]:
    found: dict[tuple[str, str], Series] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = set(keys[start : start + _CHUNK])
        rows = Series.objects.filter(
            data_source=data_source,
            location__in={loc for loc, _ in chunk},
            parameter__in={par for _, par in chunk},
        )
        found.update(
            {(s.location, s.parameter): s for s in rows if (s.location, s.parameter) in chunk}
        )
    return found


def _units_update(found, index, units) -> list[str]:
    changed, warnings = [], []
    for key, series in found.items():
        unit = units.get(index[key], "")
        if unit and unit != series.unit:
            if series.unit:
                warnings.append(
                    f"unit of {key[0]}/{key[1]} changed from {series.unit!r} to {unit!r}"
                )
            series.unit = unit
            changed.append(series)
    Series.objects.bulk_update(changed, ["unit"], batch_size=_CHUNK)
    return warnings


def series_summaries_update(*, result: MergeResult) -> None:
    """Add the merge's inserted events to each touched series' count and time span.

    One ``executemany`` rather than ``bulk_update``: the ORM's CASE expressions cost more than
    the merge itself for a small upload touching many series.
    """
    touched = Series.objects.in_bulk(list(result.per_series))
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for series_id, delta in result.per_series.items():
        series = touched[series_id]
        first, last = series.first_timestamp, series.last_timestamp
        if delta.first and (first is None or delta.first < first):
            first = delta.first
        if delta.last and (last is None or delta.last > last):
            last = delta.last
        rows.append((series.event_count + delta.inserted, adapt(first), adapt(last), series_id))
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE ts_series SET event_count = %s, first_timestamp = %s, last_timestamp = %s "
            "WHERE id = %s",
            rows,
        )
