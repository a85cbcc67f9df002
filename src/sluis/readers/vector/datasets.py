"""Vector readers: GeoJSON, zipped Shapefile, GeoPackage, FlatGeobuf, KML (through GDAL) and CSV.

``vector_rows(members, options, report)`` is the entry point: it finds the one dataset among
the upload's members, reads it in batches and yields storable rows (see ``vector_features``).
GDAL is reached only through ``sluis.readers.gdal`` (driver allow-list); KML is first parsed by
defusedxml so that DTDs and entities (billion laughs, external entities) are refused before GDAL
sees the file. No Django here.
"""

from __future__ import annotations

import os
import re
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from sluis.formats.archives import filegdb_folder
from sluis.formats.records import Member, Report
from sluis.readers import gdal
from sluis.readers.vector.csv import csv_batches
from sluis.readers.vector.features import (
    FeatureBatch,
    FeatureBuilder,
    RawBatch,
    VectorInputError,
    VectorOptions,
)
from sluis.readers.vector.geometries import Decoded, wkb_decode

DATA_FORMATS = {
    *("geojson", "geojsonseq", "gpkg", "flatgeobuf", "kml", "csv", "shp", "gpx", "filegdb"),
}
# GPX layers holding whole objects; route_points and track_points repeat their vertices
GPX_LAYERS = ("waypoints", "routes", "tracks")
_GDB_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
SHAPEFILE_PARTS = {"shp", "shx", "dbf", "prj", "cpg"}
# LIBKML's presentation fields: how Google Earth draws a placemark, not data about it.
KML_STYLE_FIELDS = {"altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon"}
# FID columns GDAL invents (sequence numbers) versus real ones (GeoPackage primary key).
_INVENTED_FID_COLUMNS = {"", "OGC_FID"}


def vector_rows(
    members: list[Member], options: VectorOptions, report: Report
) -> Iterator[FeatureBatch]:
    """Batches of rows of the upload's one dataset; problems go to ``report``.

    Raises ``VectorInputError`` (an ``IngestFailed``) when the upload as a whole cannot be read.
    """
    builder = FeatureBuilder(options=options, report=report)
    for raw in raw_batches(members, options):
        yield builder.build(raw)
    builder.finish()


def raw_batches(members: list[Member], options: VectorOptions) -> Iterator[RawBatch]:
    if members and all(m.format == "filegdb" for m in members):
        yield from _filegdb_batches(members, options)
        return
    main, parts = _dataset(members)
    if main.format == "csv":
        yield from csv_batches(main, options)
    elif main.format == "shp":
        yield from _shapefile_batches(main, parts, options)
    else:
        yield from _gdal_batches(main, options)


def _dataset(members: list[Member]) -> tuple[Member, list[Member]]:
    """The one data file of the upload, and the shapefile parts that go with it."""
    data = [m for m in members if m.format in DATA_FORMATS]
    others = [m for m in members if m.format not in DATA_FORMATS | SHAPEFILE_PARTS]
    if others:
        names = ", ".join(f"{m.name} ({m.format})" for m in others)
        raise VectorInputError(f"These files are not vector data: {names}.")
    if not data:
        names = ", ".join(m.name for m in members) or "nothing"
        raise VectorInputError(
            f"No vector dataset found (received: {names}); a Shapefile needs its .shp part."
        )
    if len(data) > 1:
        names = ", ".join(m.name for m in data)
        raise VectorInputError(
            f"A vector upload holds one dataset, this one holds {len(data)}: {names}."
        )
    return data[0], [m for m in members if m.format in SHAPEFILE_PARTS - {"shp"}]


# --- GDAL formats ---------------------------------------------------------------------------


def _gdal_batches(member: Member, options: VectorOptions) -> Iterator[RawBatch]:
    if member.format == "geojson" and member.size > options.geojson_max_bytes:
        raise VectorInputError(
            f"{member.name} is {member.size / 1e6:.0f} MB; GeoJSON uploads are limited to "
            f"{options.geojson_max_bytes / 1e6:.0f} MB (GeoPackage or FlatGeobuf stream larger "
            "datasets)."
        )
    if member.format in ("kml", "gpx"):
        check_kml(member.path, member.name)
    layers = _layers(member, options)
    _check_feature_count(member.path, member, layers, options)
    for layer in layers:
        yield from _layer_batches(member.path, member, layer, options)


def _layers(member: Member, options: VectorOptions) -> Sequence[str | None]:
    """KML folders and a GPX file's waypoints, routes and tracks are all read (one dataset);
    a GeoPackage or File Geodatabase with several layers must name one."""
    return _layers_of(member.path, member, options)


def _layers_of(path: Path, member: Member, options: VectorOptions) -> Sequence[str | None]:
    if member.format == "kml":
        return [name for name, _ in gdal.vector_layer_list(path, "kml", member.name)]
    if member.format == "gpx":
        names = [name for name, _ in gdal.vector_layer_list(path, "gpx", member.name)]
        return [name for name in GPX_LAYERS if name in names]
    if member.format not in ("gpkg", "filegdb"):
        return [None]
    layers = gdal.vector_layer_list(path, member.format, member.name)
    names = [name for name, _ in layers]
    if options.layer:
        if options.layer not in names:
            raise VectorInputError(
                f"{member.name} has no layer {options.layer!r} (setting layer); "
                f"its layers: {', '.join(names) or 'none'}."
            )
        return [options.layer]
    spatial = [name for name, geometry_type in layers if geometry_type]
    if len(spatial) == 1:
        return spatial
    raise VectorInputError(
        f"{member.name} holds {len(spatial)} layers with geometries: {', '.join(spatial)}; "
        "set the data source's 'layer' setting to the one to load."
        if spatial
        else f"{member.name} holds no layer with geometries."
    )


def _check_feature_count(
    path: Path, member: Member, layers: Sequence[str | None], options: VectorOptions
) -> None:
    """From the file's header, before reading (streaming re-checks: headers can be wrong)."""
    total = 0
    for layer in layers:
        info = gdal.vector_info(path, member.format, layer=layer, name=member.name)
        total += max(int(info.get("features") or 0), 0)
    _check_total(member, total, options)


def _check_total(member: Member, total: int, options: VectorOptions) -> None:
    if total > options.max_features:
        raise VectorInputError(
            f"{member.name} holds {total} features; the limit is {options.max_features}."
        )


def _layer_batches(
    path: Path, member: Member, layer: str | None, options: VectorOptions
) -> Iterator[RawBatch]:
    start = 0
    batches = gdal.vector_arrow_batches(
        path,
        member.format,
        layer=layer,
        name=member.name,
        return_fids=True,
        batch_size=options.batch_size,
    )
    while (read := _next_batch(batches)) is not None:
        meta, batch, duplicate_ids = read
        if duplicate_ids and "id" not in batch.schema.names[1:]:
            # integer "id" members are FIDs, and GDAL renumbered the duplicates: refuse
            raise VectorInputError(f"{member.name}: duplicate feature ids ({duplicate_ids}).")
        _check_total(member, start + batch.num_rows, options)
        yield _raw_batch(member, meta, batch, start)
        start += batch.num_rows


def _next_batch(batches: Iterator) -> tuple | None:
    """(meta, batch, GDAL's warning about renumbered duplicate ids or "") or None at the end."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read = next(batches, None)
    if read is None:
        return None
    messages = [str(w.message) for w in caught if "Several features with id" in str(w.message)]
    return (*read, messages[0] if messages else "")


def _raw_batch(member: Member, meta: dict, batch: pa.RecordBatch, start: int) -> RawBatch:
    """Split GDAL's batch into attributes, geometries and (meaningful) feature ids."""
    # Column 0 holds the FIDs (``return_fids``); a field may share its name, so go by index.
    schema = batch.schema
    geometry_index = next((i for i, f in enumerate(schema) if i and _is_wkb(f)), None)
    if geometry_index is None:
        decoded = Decoded(np.full(batch.num_rows, None, dtype=object))
    else:
        wkb = batch.column(geometry_index).to_numpy(zero_copy_only=False)
        decoded = wkb_decode(wkb, gdal.wkb_linearise)
    skip = KML_STYLE_FIELDS if member.format == "kml" else set()
    keep = [i for i in range(1, len(schema)) if i != geometry_index and schema[i].name not in skip]
    attributes = batch.select(keep)
    fids = batch.column(0).to_pylist()
    if not _fids_are_ids(member, meta, fids, start):
        fids = None
    return RawBatch(
        file=member.name,
        attributes=attributes,
        geometries=decoded.geometries,
        crs=meta.get("crs"),
        start=start,
        fids=fids,
        bad_rows=decoded.problems,
        linearised=decoded.linearised,
        repaired=decoded.repaired,
    )


def _is_wkb(field: pa.Field) -> bool:
    return (field.metadata or {}).get(b"ARROW:extension:name") == b"geoarrow.wkb"


def _fids_are_ids(member: Member, meta: dict, fids: list, start: int) -> bool:
    """A GeoPackage's ``fid`` is a real key; GeoJSON integer ``id`` members arrive as FIDs.

    GDAL numbers features 0, 1, 2, ... when a GeoJSON file has no ids: such a plain sequence is
    not taken as ids.
    """
    if meta.get("fid_column") not in _INVENTED_FID_COLUMNS:
        return True
    if member.format != "geojson":
        return False
    return fids != list(range(start, start + len(fids)))


# --- Shapefile ------------------------------------------------------------------------------


def _shapefile_batches(
    shp: Member, parts: list[Member], options: VectorOptions
) -> Iterator[RawBatch]:
    """Link the parts side by side under one stem (GDAL finds them by name), then read."""
    by_format = {part.format: part for part in parts}
    missing = [ext for ext in ("shx", "dbf") if ext not in by_format]
    if missing:
        stem = shp.name.rsplit(".", 1)[0]
        names = " and ".join(f"{stem}.{ext}" for ext in missing)
        raise VectorInputError(
            f"The Shapefile {shp.name} is incomplete: {names} is missing from the upload "
            "(a Shapefile needs its .shp, .shx and .dbf parts; .prj and .cpg are optional)."
        )
    with tempfile.TemporaryDirectory(prefix="sluis-shp-") as folder:
        path = Path(folder) / "data.shp"
        os.symlink(shp.path.resolve(), path)
        for fmt, part in by_format.items():
            os.symlink(part.path.resolve(), path.with_suffix(f".{fmt}"))
        _check_feature_count(path, shp, [None], options)
        yield from _layer_batches(path, shp, None, options)


def _filegdb_batches(parts: list[Member], options: VectorOptions) -> Iterator[RawBatch]:
    """Rebuild the ``.gdb`` folder from its extracted files (by their original names), then
    read it with GDAL's OpenFileGDB driver like a GeoPackage: one layer, or the ``layer``."""
    folder_name = filegdb_folder(parts[0].name) or "data.gdb"
    shown = Member(parts[0].path, folder_name, "filegdb", sum(p.size for p in parts))
    with tempfile.TemporaryDirectory(prefix="sluis-gdb-") as folder:
        path = Path(folder) / "data.gdb"
        path.mkdir()
        for part in parts:
            name = PurePosixPath(part.name.replace("\\", "/")).name
            if not _GDB_NAME.fullmatch(name):
                raise VectorInputError(f"{part.name}: not a File Geodatabase file name.")
            os.symlink(part.path.resolve(), path / name)
        layers = _layers_of(path, shown, options)
        _check_feature_count(path, shown, layers, options)
        for layer in layers:
            yield from _layer_batches(path, shown, layer, options)


# --- KML ------------------------------------------------------------------------------------


def check_kml(path: Path, name: str) -> None:
    """Parse the KML with defusedxml first: any DTD (entities, external entities) is refused.

    KML never needs a DTD, so refusing every DOCTYPE closes billion laughs, external entities
    and parameter entities at once, before GDAL's own XML parser runs.
    """
    try:
        for _event, element in iterparse(str(path), forbid_dtd=True):
            element.clear()
    except DefusedXmlException as exc:
        raise VectorInputError(
            f"{name}: KML with a DOCTYPE, entities or external references is refused ({exc})."
        ) from exc
    except ParseError as exc:
        raise VectorInputError(f"{name}: not well-formed XML ({exc}).") from exc
