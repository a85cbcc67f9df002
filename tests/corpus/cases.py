"""What each corpus file must do: its data source's settings, and processed or refused.

Every file under ``vector/``, ``raster/``, ``timeseries/`` and ``file/`` is uploaded to a data
source of that kind. A file not named in ``REFUSED`` must be processed; a refused file's message
must contain every listed fragment (the format or setting it names). ``FIXED_LATER`` holds the
files whose current outcome is a defect of issue 16, with the defect; each entry is removed by
the commit that fixes it.
"""

import fnmatch
from pathlib import Path

CORPUS = Path(__file__).parent
KINDS = ("vector", "raster", "timeseries", "file")

A_TIME = {"frame_time": "2020-06-01T00:00:00Z"}

SETTINGS: dict[str, dict] = {
    "vector/fiona/curves_line.csv": {"source_crs": "EPSG:4326"},
    "vector/fiona/test_tin.csv": {"source_crs": "EPSG:4326"},
    "vector/fiona/testopenfilegdb.gdb.zip": {"layer": "point"},
    "timeseries/pastas/head_nb1.csv": {"parameter": "head"},
    "timeseries/pastas/rain_nb1.csv": {"parameter": "rain"},
    "timeseries/pastas/B32C0639001.csv": {"parameter": "head"},
    "timeseries/pastas/B42B0040002.csv": {
        "columns": {"timestamp": "Peildatum"},
        "parameter": "head",
    },
    "timeseries/pastas/tswr1.csv": {"columns": {"timestamp": ""}, "parameter": "tswr"},
    "raster/rasterio/RGB.nc": {"variable": "Band1", **A_TIME},
    "raster/rioxarray/sentinel_2_L1C_geographic.nc": {"variable": "red", **A_TIME},
}
for _name in [
    "RGB.byte.tif",
    "RGBA.byte.tif",
    "RGBA.uint16.tif",
    "alpha.tif",
    "byte.tif",
    "cogeo.tif",
    "corrupt.tif",
    "float_raster_with_extra_nodata.tif",
    "float_raster_with_nodata.tif",
    "goes.tif",
    "red.tif",
    "rgb-byte-tenth.tif",
    "rgb1_fake_nir_epsg3857.tif",
    "shade.tif",
    "test_esri_wkt.tif",
    "world.byte.tif",
    "RGB.byte.with_aux.zip",
    "all-nodata.tif",
]:
    SETTINGS[f"raster/rasterio/{_name}"] = dict(A_TIME)
for _name in ["2d_test.tif", "MODIS_ARRAY.nc", "clip_bbox__out_of_bounds.tif", "cog.tif"]:
    SETTINGS[f"raster/rioxarray/{_name}"] = dict(A_TIME)

REFUSED: dict[str, list[str]] = {
    # recognisable formats Sluis does not read: the refusal names them
    "vector/fiona/example.topojson": ["TopoJSON"],
    "vector/fiona/multicurve.gml": ["GML"],
    "vector/pyogrio/sample.osm.pbf": ["OpenStreetMap"],
    "vector/pyogrio/list_field_values_file.parquet": ["Parquet"],
    "vector/pygeoapi/random.parquet": ["Parquet"],
    "vector/pygeoapi/dutch_addresses_4326.sqlite": ["SQLite database that is not a GeoPackage"],
    "raster/pygeoapi/CMC_glb_TMP_TGL_2_latlon.15x.15_2020081000_P000.grib2": ["GRIB"],
    "raster/rasterio/389225main_sw_1965_1024.jpg": ["JPEG", "raster data source does not read"],
    "timeseries/fewspy/H.meting.nc": ["NetCDF", "timeseries data source does not read"],
    "timeseries/hydropandas/solinst_slug1m.xle": ["Solinst"],
    # GPX files without a waypoint, route or track: nothing to store (an upload never empties)
    "vector/gpxpy/custom_schema_locations.gpx": ["holds no features"],
    "vector/gpxpy/default_schema_locations.gpx": ["holds no features"],
    # unsupported geometry types, refused per feature with the type named
    "vector/fiona/test_tin.zip": ["TIN"],
    "vector/fiona/test_tin.csv": ["TIN", "Triangle"],
    # files that need something the supplier has to give, and say which setting
    "vector/pygeoapi/norwegian_urban_areas.csv": ["geometry_columns"],
    "vector/pygeoapi/obs_malformatted.csv": ["not a number"],
    "raster/rasterio/float.tif": ["source_crs"],
    "raster/rasterio/float32.tif": ["source_crs"],
    "raster/rasterio/float_nan.tif": ["source_crs"],
    "raster/rasterio/rotated.tif": ["source_crs"],
    "raster/rasterio/corrupt.tif": ["corrupt.tif"],
    "raster/rioxarray/test_rpcs.tif": ["not georeferenced"],
    "raster/rioxarray/unicode.nc": ["not georeferenced"],
    "raster/rasterio/two-subs.h5": ["several variables", "variable"],
    "raster/rioxarray/cint16.tif": ["complex"],
    "raster/pygeoapi/CMIP5_rcp8.5_annual_abs_latlon1x1_PCP_pctl25_P1Y.nc": ["time"],
    "raster/rasterio/N10W110.hgt.zip": ["compression ratio"],
    "timeseries/pastas/test_index.csv": ["no timestamp column", "columns"],
    # a damaged photo: refused with a readable reason
    "file/pillow_heif/corrupted.heic": ["corrupted.heic", "not a readable HEIF image"],
}

_DEFECTS: dict[str, list[str]] = {}


def _fixed_later() -> dict[str, str]:
    found = {}
    for path in corpus_files():
        name = case_id(path)
        for defect, patterns in _DEFECTS.items():
            if any(fnmatch.fnmatch(name, pattern) for pattern in patterns):
                found[name] = defect
    return found


def corpus_files() -> list[Path]:
    """Every corpus file, in a stable order."""
    return sorted(p for kind in KINDS for p in (CORPUS / kind).rglob("*") if p.is_file())


def case_id(path: Path) -> str:
    return str(path.relative_to(CORPUS))


FIXED_LATER = _fixed_later()
