"""The map preview of a vector data source: every stored feature, made light enough to draw.

The browser gets one GeoJSON document instead of paging through ``/features/``. Lines and
polygons are simplified on the server (shapely, Douglas-Peucker keeping topology) to a tolerance
of the layer's extent / ``DETAIL`` (about a screen pixel at full extent). Past ``POINT_LIMIT``
points, points are clustered on a ``GRID`` x ``GRID`` grid over the extent: each cluster is one
point at the mean position with its ``count``. The counts of the answer are always the database's:
``total`` features stored, ``shown`` drawn one by one. Measured in docs/web.md (Map previews).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from sluis.datastore.vector.selectors import features_current

DETAIL = 1000  # tolerance = extent / DETAIL
POINT_LIMIT = 5000  # more points than this are clustered
GRID = 64


@dataclass(frozen=True)
class MapPreview:
    """What the map draws: GeoJSON features, and how they relate to what is stored."""

    features: list[dict[str, Any]]
    total: int
    shown: int
    clustered: bool
    simplified: bool

    def as_geojson(self) -> dict[str, Any]:
        return {
            "type": "FeatureCollection",
            "features": self.features,
            "total": self.total,
            "shown": self.shown,
            "clustered": self.clustered,
            "simplified": self.simplified,
        }


def map_preview(*, data_source) -> MapPreview:
    """Every current feature of ``data_source``, simplified or clustered for drawing."""
    rows = list(features_current(data_source=data_source).values_list("id", "id_src", "geometry"))
    ids = [row[0] for row in rows]
    names = [row[1] for row in rows]
    shapes = shapely.from_geojson([row[2] or "null" for row in rows], on_invalid="ignore")
    shapes = np.asarray(shapes, dtype=object) if rows else np.empty(0, dtype=object)
    present = ~shapely.is_missing(shapes) & ~shapely.is_empty(shapes) if rows else np.empty(0, bool)
    bounds = shapely.total_bounds(shapes[present]) if present.any() else None
    points = present & (shapely.get_type_id(shapes) == 0)
    lines_or_areas = bool((present & ~points).any())
    if bounds is not None and points.sum() > POINT_LIMIT:
        clusters = _clusters(shapes[points], bounds)
        others = _features(np.flatnonzero(present & ~points), ids, names, shapes, bounds)
        return MapPreview(clusters + others, len(rows), len(others), True, lines_or_areas)
    features = _features(np.flatnonzero(present), ids, names, shapes, bounds)
    return MapPreview(features, len(rows), len(features), False, lines_or_areas)


def _features(indices, ids, names, shapes, bounds) -> list[dict[str, Any]]:
    if not len(indices):
        return []
    tolerance = max(bounds[2] - bounds[0], bounds[3] - bounds[1]) / DETAIL
    simple = shapely.simplify(shapes[indices], tolerance, preserve_topology=True)
    texts = shapely.to_geojson(simple)
    return [
        {
            "type": "Feature",
            "id": ids[i],
            "properties": {"id_src": names[i]},
            "geometry": json.loads(text),
        }
        for i, text in zip(indices, texts, strict=True)
    ]


def _clusters(points, bounds) -> list[dict[str, Any]]:
    """Points binned on a GRID x GRID grid over ``bounds``: one point per occupied cell."""
    x, y = shapely.get_x(points), shapely.get_y(points)
    width = max(bounds[2] - bounds[0], 1e-9)
    height = max(bounds[3] - bounds[1], 1e-9)
    col = np.minimum(((x - bounds[0]) / width * GRID).astype(int), GRID - 1)
    row = np.minimum(((y - bounds[1]) / height * GRID).astype(int), GRID - 1)
    cell = row * GRID + col
    counts = np.bincount(cell, minlength=GRID * GRID)
    mean_x = np.bincount(cell, weights=x, minlength=GRID * GRID)
    mean_y = np.bincount(cell, weights=y, minlength=GRID * GRID)
    return [
        {
            "type": "Feature",
            "properties": {"cluster": int(counts[c])},
            "geometry": {
                "type": "Point",
                "coordinates": [mean_x[c] / counts[c], mean_y[c] / counts[c]],
            },
        }
        for c in np.flatnonzero(counts)
    ]
