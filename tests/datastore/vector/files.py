"""Vector test helpers: files written in the test (pyogrio writes every format) and jobs.

pyogrio is taken from ``sluis.readers.gdal`` so the hardened GDAL (driver skip-lists) is the one
loaded, exactly as in production.
"""

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import shapely

from sluis.datastore.vector.processor import VectorProcessor
from sluis.formats.records import Member, Report
from sluis.kinds import IngestJob
from sluis.readers.gdal import pyogrio
from sluis.readers.vector.datasets import vector_rows
from sluis.readers.vector.features import VectorOptions

DRIVERS = {
    "geojson": ("GeoJSON", ".geojson"),
    "gpkg": ("GPKG", ".gpkg"),
    "flatgeobuf": ("FlatGeobuf", ".fgb"),
    "kml": ("KML", ".kml"),
    "shp": ("ESRI Shapefile", ".shp"),
}


def write_vector(path, fmt, geometries, fields=None, crs="EPSG:4326", layer=None, append=False):
    """Write ``geometries`` (shapely) with attribute ``fields`` ({name: values}) as ``fmt``."""
    fields = fields or {}
    driver, _ = DRIVERS[fmt]
    arrays = [np.asarray(values) for values in fields.values()]
    types = {shapely.get_type_id(g) for g in geometries if g is not None}
    geometry_type = None
    if len(types) == 1:
        geometry_type = next(g.geom_type for g in geometries if g is not None)
    pyogrio.raw.write(
        str(path),
        shapely.to_wkb(np.asarray(geometries, dtype=object)),
        arrays,
        list(fields),
        driver=driver,
        crs=crs,
        layer=layer,
        geometry_type=geometry_type or "Unknown",
        append=append,
    )
    return Path(path)


def member(path, fmt, name=None):
    path = Path(path)
    return Member(path=path, name=name or path.name, format=fmt, size=path.stat().st_size)


def shapefile_members(tmp_path, geometries, fields=None, crs="EPSG:4326", parts=None):
    """Write a Shapefile, then lay its parts out as the engine does: one generated stem."""
    source = tmp_path / "src"
    source.mkdir(exist_ok=True)
    write_vector(source / "roads.shp", "shp", geometries, fields, crs=crs)
    members = []
    for part in sorted(source.iterdir()):
        ext = part.suffix[1:]
        if parts is not None and ext not in parts:
            continue
        target = tmp_path / f"m7f3a.{ext}"
        shutil.copy(part, target)
        members.append(member(target, ext, name=f"roads.{ext}"))
    return members


def make_job(source, members, settings=None, upload_id=1):
    ingest = settings if settings is not None else source.ingest_settings
    return IngestJob(
        upload_id=upload_id,
        data_source=source,
        ingest_settings=ingest,
        members=list(members),
        received_at=datetime.now(tz=UTC),
    )


def process(source, members, settings=None):
    job = make_job(source, members, settings)
    counts = VectorProcessor().process(job)
    return counts, job.report


def points(n, x0=5.0, y0=52.0, step=0.001):
    return [shapely.Point(x0 + i * step, y0 + i * step) for i in range(n)]


def read(members, **options):
    """Read without storing: (rows, report). Rows are (id_src, geometry, properties, bbox...)."""
    report = Report()
    batches = vector_rows(list(members), VectorOptions(**options), report)
    return [row for batch in batches for row in batch.rows()], report


def geometry(row):
    return json.loads(row[1]) if row[1] else None


def properties(row):
    return json.loads(row[2])
