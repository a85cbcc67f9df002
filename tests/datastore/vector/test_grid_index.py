"""The grid index finds exactly the features whose bbox meets the query bbox."""

import json
import random

import pytest

from sluis.datastore.vector import grid
from sluis.datastore.vector.selectors import features_current
from sluis.datastore.vector.services import vector_dataset_replace

pytestmark = pytest.mark.django_db


def _random_boxes(rng, n):
    boxes = []
    for _ in range(n):
        size = rng.choice([0.0, 0.0001, 0.03, 0.2, 5.0, 90.0])  # points .. continents
        x0 = rng.uniform(-180, 180 - size)
        y0 = rng.uniform(-90, 90 - min(size, 90))
        boxes.append((x0, y0, x0 + size, min(y0 + size, 90.0)))
    boxes += [
        (-180, -90, -180, -90),
        (180, 90, 180, 90),
        (-180, -90, 180, 90),
        (4.0, 52.0, 4.0, 52.0),
    ]
    return boxes


def _shape(box) -> str:
    """GeoJSON whose bbox is ``box`` (PostgreSQL's GiST index reads the geometry itself)."""
    x0, y0, x1, y1 = box
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def test_bbox_queries_match_a_brute_force_comparison(vector_source):
    rng = random.Random(7)
    boxes = _random_boxes(rng, 1500)
    rows = [(str(i), _shape(box), "{}", *box) for i, box in enumerate(boxes)]
    vector_dataset_replace(data_source=vector_source, batches=[rows])
    queries = [(-180, -90, 180, 90), (4.0, 52.0, 4.0, 52.0), (3.99, 51.99, 4.0, 52.0)]
    for _ in range(60):
        w, h = rng.choice([0.001, 0.1, 1.0, 10.0]), rng.choice([0.001, 0.1, 1.0, 10.0])
        x, y = rng.uniform(-180, 180 - w), rng.uniform(-90, 90 - h)
        queries.append((x, y, x + w, y + h))
    for minx, miny, maxx, maxy in queries:
        expected = {
            str(i)
            for i, (a, b, c, d) in enumerate(boxes)
            if c >= minx and a <= maxx and d >= miny and b <= maxy
        }
        found = features_current(data_source=vector_source, bbox=(minx, miny, maxx, maxy))
        assert set(found.values_list("id_src", flat=True)) == expected, (minx, miny, maxx, maxy)


def test_a_small_bbox_reads_a_few_grid_rows_and_a_huge_one_reads_the_version():
    assert len(grid.ranges((5.0, 52.0, 5.1, 52.1))) <= 4
    assert grid.ranges((-180, -90, 180, 90)) == [(0, grid.SIDE * grid.SIDE - 1)]
    assert grid.ranges((0, -60, 10, 60)) is None
