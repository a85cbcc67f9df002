"""GeoJSON and CSV output, assembled from the stored GeoJSON/JSON text without re-parsing it.

Stored ``geometry`` and ``properties`` are JSON texts Sluis wrote itself, so a feature is the
concatenation of a few fragments: fast for large pages and byte-for-byte what was stored.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

import shapely

# (id, id_src, geometry, properties) as selected by the views
FeatureRow = Sequence[Any]
FIELDS = ("id", "id_src", "geometry", "properties")


def feature_json(row: FeatureRow, data_source_id: int) -> str:
    pk, id_src, geometry, properties = row
    return (
        f'{{"type":"Feature","id":{int(pk)},"id_src":{json.dumps(id_src)},'
        f'"data_source":{int(data_source_id)},"geometry":{geometry or "null"},'
        f'"properties":{properties}}}'
    )


def feature_collection_json(rows: Iterable[FeatureRow], data_source_id: int, **members: Any) -> str:
    """A FeatureCollection; ``members`` (count, next, ...) are added as foreign members."""
    head = "".join(f"{json.dumps(key)}:{json.dumps(value)}," for key, value in members.items())
    features = ",".join(feature_json(row, data_source_id) for row in rows)
    return f'{{"type":"FeatureCollection",{head}"features":[{features}]}}'


def features_csv(rows: Sequence[FeatureRow]) -> str:
    """One line per feature: id, id_src, geometry as WKT, then every property seen."""
    records = [json.loads(row[3]) for row in rows]
    keys = list(dict.fromkeys(key for record in records for key in record))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "id_src", "geometry", *keys])
    for row, record in zip(rows, records, strict=True):
        wkt = shapely.to_wkt(shapely.from_geojson(row[2])) if row[2] else ""
        values = [_csv_value(record.get(key)) for key in keys]
        writer.writerow([row[0], row[1] or "", wkt, *values])
    return out.getvalue()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
