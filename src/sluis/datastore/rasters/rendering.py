"""Maps and legends drawn from stored frames (the WMS of ``sluis.ogc`` draws with these).

A map is read from the COG window under the requested bbox, at about the requested resolution
(so GDAL reads the overview level that fits, not the full-resolution pixels), then reprojected
in memory onto the requested grid with nearest-neighbour resampling and coloured like the
previews (viridis over the band's stored min..max; nodata and NaN transparent).
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw

from sluis.datastore.rasters.models import RasterFrame
from sluis.datastore.rasters.services import value_range, viridis_png
from sluis.readers.gdal import (
    CRS,
    Affine,
    Resampling,
    array_reproject,
    bounds_transform,
    stored_raster_open,
    transform_from_bounds,
)
from sluis.uploads.storage import object_storage

Bounds = tuple[float, float, float, float]  # minx, miny, maxx, maxy in the map CRS, x first


def raster_map_png(
    *, frame: RasterFrame, crs: str, bounds: Bounds, width: int, height: int, band: int = 1
) -> bytes:
    """The frame drawn onto a ``width`` x ``height`` map of ``bounds`` in ``crs``."""
    values = _map_values(frame, CRS.from_user_input(crs), bounds, width, height, band)
    low, high = value_range(frame, band, values)
    return viridis_png(values, low, high)


def _map_values(frame, dst_crs, bounds: Bounds, width: int, height: int, band: int):
    out = np.full((height, width), np.nan, dtype="float64")
    src_crs = CRS.from_wkt(frame.crs_wkt)
    try:
        left, bottom, right, top = bounds_transform(dst_crs, src_crs, bounds)
    except ValueError:  # a bbox outside the projection's area of use shows nothing
        return np.ma.masked_invalid(out)
    seen = (left, bottom, right, top)
    clipped = (
        max(seen[0], frame.x_min),
        max(seen[1], frame.y_min),
        min(seen[2], frame.x_max),
        min(seen[3], frame.y_max),
    )
    if clipped[0] >= clipped[2] or clipped[1] >= clipped[3]:
        return np.ma.masked_invalid(out)
    with stored_raster_open(object_storage(), frame.storage_key) as dataset:
        window = dataset.window(*clipped).round_offsets().round_lengths()
        window = window.intersection(dataset.window(*dataset.bounds))
        rows, cols = _read_shape(window, seen, clipped, width, height)
        data = dataset.read(band, window=window, out_shape=(rows, cols), masked=True)
        scale = Affine.scale(window.width / cols, window.height / rows)
        src_transform = dataset.window_transform(window) * scale
    array_reproject(
        np.ma.masked_invalid(data.astype("float64")).filled(np.nan),
        out,
        src_transform=src_transform,
        src_crs=src_crs,
        src_nodata=np.nan,
        dst_transform=transform_from_bounds(*bounds, width, height),
        dst_crs=dst_crs,
        dst_nodata=np.nan,
        resampling=Resampling.nearest,
    )
    return np.ma.masked_invalid(out)


def _read_shape(window, seen: Bounds, clipped: Bounds, width: int, height: int):
    """Pixels to read: twice the map pixels that cover the window, at most all it holds.

    Reading fewer pixels than the window has makes GDAL use the COG's overviews.
    """
    share_x = (clipped[2] - clipped[0]) / (seen[2] - seen[0])
    share_y = (clipped[3] - clipped[1]) / (seen[3] - seen[1])
    cols = min(int(window.width), max(1, math.ceil(2 * width * share_x)))
    rows = min(int(window.height), max(1, math.ceil(2 * height * share_y)))
    return rows, cols


def raster_legend_png(*, frame: RasterFrame, width: int, height: int, band: int = 1) -> bytes:
    """A vertical viridis ramp from the band's min (bottom) to max (top), labelled."""
    low, high = value_range(frame, band, np.ma.masked_invalid(np.array([np.nan])))
    ramp = np.linspace(high, low, height)[:, None].repeat(max(width // 3, 8), axis=1)
    ramp_png = Image.open(io.BytesIO(viridis_png(np.ma.masked_invalid(ramp), low, high)))
    image = Image.new("RGBA", (width, height), (255, 255, 255, 255))
    image.paste(ramp_png, (0, 0))
    draw = ImageDraw.Draw(image)
    label_x = ramp_png.width + 4
    draw.text((label_x, 0), f"{high:g}", fill=(0, 0, 0, 255))
    draw.text((label_x, height - 12), f"{low:g}", fill=(0, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
