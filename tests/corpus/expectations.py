"""Expectations computed from each corpus file with other libraries than the pipeline's readers
(pyogrio, rasterio, Pillow, pypdf, ElementTree, json, csv), to compare with what Sluis stored."""

import json
import math
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy
import pyogrio
import rasterio
from PIL import Image


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def vector_feature_count(path: Path, settings: dict) -> int:
    """Features GDAL/ElementTree see: waypoints, routes and tracks of a GPX; else the layer's."""
    if path.suffix == ".gpx":
        root = ElementTree.parse(path).getroot()
        return sum(1 for child in root if _local(child.tag) in ("wpt", "rte", "trk"))
    if path.suffix == ".zip":
        names = zipfile.ZipFile(path).namelist()
        gdb = [n for n in names if n.rstrip("/").endswith(".gdb")]
        target = f"/vsizip/{path}/{gdb[0].rstrip('/')}" if gdb else f"/vsizip/{path}"
        return pyogrio.read_info(target, layer=settings.get("layer"))["features"]
    if path.suffix in (".seq",):
        return sum(1 for line in path.read_text().splitlines() if line.strip())
    if path.suffix == ".csv":
        return pyogrio.read_info(path, force_feature_count=True)["features"]
    layers = pyogrio.list_layers(path)
    layer = settings.get("layer")
    if layer is None and len(layers) > 1:
        spatial = [name for name, geometry_type in layers if geometry_type is not None]
        layer = spatial[0]
    return pyogrio.read_info(path, layer=layer)["features"]


def raster_truth(path: Path, settings: dict) -> dict:
    """Band 1 of the file's first frame: size and min/max/mean of the valid physical values."""
    target = str(path)
    if path.suffix == ".zip":
        member = next(n for n in zipfile.ZipFile(path).namelist() if n.endswith(".tif"))
        target = f"/vsizip/{path}/{member}"
    elif settings.get("variable"):
        driver = "HDF5" if path.suffix == ".h5" else "NETCDF"
        target = f'{driver}:"{path}":{"//" if driver == "HDF5" else ""}{settings["variable"]}'
    with rasterio.open(target) as dataset:
        band = dataset.read(1).astype("float64")
        valid = numpy.isfinite(band)
        if dataset.nodata is not None and not math.isnan(dataset.nodata):
            valid &= band != dataset.nodata
        scale, offset = dataset.scales[0], dataset.offsets[0]
        values = band[valid] * scale + offset
        width, height, count = dataset.width, dataset.height, dataset.count
    truth = {"width": width, "height": height, "bands": count}
    if values.size:
        truth.update(min=float(values.min()), max=float(values.max()), mean=float(values.mean()))
    return truth


def pi_xml_event_count(path: Path) -> int:
    """Events with a value other than the series' missVal."""
    total = 0
    for series in ElementTree.parse(path).getroot():
        if _local(series.tag) != "series":
            continue
        miss = "NaN"
        for element in series:
            if _local(element.tag) == "header":
                for field in element:
                    if _local(field.tag) == "missVal":
                        miss = field.text
            elif _local(element.tag) == "event":
                value = element.get("value")
                if value not in (None, "") and not _same_number(value, miss):
                    total += 1
    return total


def pi_json_event_count(path: Path) -> int:
    total = 0
    for series in json.loads(path.read_text()).get("timeSeries", []):
        miss = series.get("header", {}).get("missVal", "NaN")
        for event in series.get("events", []):
            value = event.get("value")
            if value not in (None, "") and not _same_number(value, miss):
                total += 1
    return total


def _same_number(value, miss) -> bool:
    try:
        a, b = float(value), float(miss)
    except (TypeError, ValueError):
        return False
    return a == b or (math.isnan(a) and math.isnan(b))


def image_size(path: Path) -> tuple[int, int]:
    import pillow_heif

    pillow_heif.register_heif_opener()
    with Image.open(path) as image:
        return image.size


def pdf_pages(path: Path) -> int | None:
    """Page count pypdf reads, or None when the PDF needs a password to open."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        return None
    return len(reader.pages)
