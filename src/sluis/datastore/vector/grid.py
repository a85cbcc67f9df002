"""The spatial index both engines share: a fixed grid of cells over WGS84, in a B-tree.

A feature whose bbox fits within one cell's width and height is filed under the cell of its
south-west corner; bigger features (and only they) go to the ``LARGE`` bucket, which every query
reads. A feature meeting a query bbox then has its corner at most one cell west or south of the
bbox, so a query reads, per grid row, one contiguous range of cell numbers (row-major numbering)
over an ordinary ``(version, cell)`` B-tree index, then compares the exact bbox columns.
No Django here: see docs/decisions/0006-vector-storage.md for the measurements behind it.
"""

from __future__ import annotations

import math

import numpy as np

LEVEL = 12
SIDE = 1 << LEVEL  # 4096 x 4096 cells: 0.088 degrees wide, 0.044 degrees high
CELL_W = 360.0 / SIDE
CELL_H = 180.0 / SIDE
LARGE = -1
MAX_RANGES = 64  # a query spanning more grid rows than this reads the version without the grid


def cells(minx: np.ndarray, miny: np.ndarray, maxx: np.ndarray, maxy: np.ndarray) -> np.ndarray:
    """Cell number per bbox (float arrays, NaN for no geometry → NaN out, stored as NULL)."""
    col = np.clip(np.floor((minx + 180.0) / CELL_W), 0, SIDE - 1)
    row = np.clip(np.floor((miny + 90.0) / CELL_H), 0, SIDE - 1)
    small = ((maxx - minx) <= CELL_W) & ((maxy - miny) <= CELL_H)
    out = np.where(small, row * SIDE + col, float(LARGE))
    return np.where(np.isnan(minx), np.nan, out)


def ranges(bbox: tuple[float, float, float, float]) -> list[tuple[int, int]] | None:
    """Inclusive cell-number ranges that hold every feature meeting ``bbox``, or None (all)."""
    minx, miny, maxx, maxy = bbox
    x0, x1 = _col(minx - CELL_W), _col(maxx)
    y0, y1 = _row(miny - CELL_H), _row(maxy)
    if x0 == 0 and x1 == SIDE - 1:
        return [(y0 * SIDE, y1 * SIDE + SIDE - 1)]
    if y1 - y0 + 1 > MAX_RANGES:
        return None
    return [(y * SIDE + x0, y * SIDE + x1) for y in range(y0, y1 + 1)]


def _col(x: float) -> int:
    return min(max(math.floor((x + 180.0) / CELL_W), 0), SIDE - 1)


def _row(y: float) -> int:
    return min(max(math.floor((y + 90.0) / CELL_H), 0), SIDE - 1)
