"""Issue 16's sniffing defects, on real files: what a file is, named even when not read."""

import json

import pytest

from sluis.formats.registry import describe
from sluis.formats.sniffing import sniff_path
from tests.corpus.cases import CORPUS
from tests.corpus.runner import corpus_upload


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("vector/fiona/example.topojson", "topojson"),
        ("vector/fiona/multicurve.gml", "gml"),
        ("vector/fiona/test_gpx.gpx", "gpx"),
        ("vector/pyogrio/sample.osm.pbf", "osm-pbf"),
        ("vector/pygeoapi/random.parquet", "parquet"),
        ("raster/pygeoapi/CMC_glb_TMP_TGL_2_latlon.15x.15_2020081000_P000.grib2", "grib"),
        ("timeseries/hydropandas/solinst_slug1m.xle", "solinst-xle"),
        ("timeseries/fewspy/pi_time_series.json", "pi-json"),
        ("timeseries/hydropandas/knmi_neerslaggeg_DE-BILT_550.txt", "csv"),
        ("file/pillow/exif.avif", "avif"),
        ("file/pillow_heif/zPug_3.heic", "heic"),
        ("file/exif-samples/samplefilehub.heif", "heic"),
    ],
)
def test_real_files_are_told_by_their_content(name, fmt):
    path = CORPUS / name
    assert sniff_path(path, path.name) == fmt
    assert describe(fmt) != fmt  # every format has a name a supplier can read


@pytest.mark.django_db
def test_a_bare_geojson_geometry_is_geojson_and_is_stored_as_one_feature(
    api, supplier, make_source, tmp_path
):
    path = tmp_path / "outline.json"
    ring = [[5.0, 52.0], [5.1, 52.0], [5.1, 52.1], [5.0, 52.0]]
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    assert sniff_path(path, path.name) == "geojson"

    source = make_source(name="Outline", kind="vector")
    outcome = corpus_upload(api=api, user=supplier, source=source, path=path)

    assert outcome.status == "processed", outcome.describe()
    assert outcome.upload.inserted == 1
