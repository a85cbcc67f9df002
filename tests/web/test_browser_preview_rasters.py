"""In Chromium, with the processing engine: raster frames previewed with a time slider."""

import io
import re
import zipfile

import numpy as np
import rasterio
from playwright.sync_api import expect
from rasterio.transform import from_origin

from tests.web.conftest import open_source_page, upload_and_process


def geotiff(value: float) -> bytes:
    buffer = io.BytesIO()
    profile = {
        "driver": "GTiff",
        "width": 8,
        "height": 6,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:4326",
        "transform": from_origin(5.0, 52.0, 0.1, 0.1),
    }
    with rasterio.MemoryFile() as memory:
        with memory.open(**profile) as dataset:
            grid = np.arange(48, dtype="float32").reshape(6, 8) * value
            dataset.write(grid, 1)
        buffer.write(memory.read())
    return buffer.getvalue()


def test_raster_frames_are_previewed_with_a_time_slider(page, web_supplier, make_source):
    source = make_source(name="Evaporation", kind="raster")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("evaporation_2024-01-01.tif", geotiff(1.0))
        zipped.writestr("evaporation_2024-01-02.tif", geotiff(2.0))
    open_source_page(page, source)
    upload_and_process(page, "frames.zip", archive.getvalue())

    expect(page.locator("#preview-status")).to_contain_text("2 frames stored")
    slider = page.get_by_label("Frame time")
    expect(page.locator("#raster-time")).to_have_text("2024-01-02 00:00:00 UTC")
    image = page.locator("#raster-image")
    expect(image).to_have_attribute("alt", "Preview of the raster frame at 2024-01-02 00:00:00 UTC")
    page.wait_for_function("() => document.getElementById('raster-image').naturalWidth > 0")
    slider.focus()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#raster-time")).to_have_text("2024-01-01 00:00:00 UTC")
    expect(image).to_have_attribute("src", re.compile(r"/preview\.png"))
    page.wait_for_function("() => document.getElementById('raster-image').naturalWidth > 0")
    assert page.errors == []
