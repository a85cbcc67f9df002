import pytest

from sluis.formats.errors import UnreadableFile
from sluis.readers.gdal import raster_open, vector_info

VRT = (
    '<VRTDataset rasterXSize="10" rasterYSize="10"><VRTRasterBand dataType="Byte" band="1">'
    "<SimpleSource><SourceFilename>/etc/passwd</SourceFilename></SimpleSource>"
    "</VRTRasterBand></VRTDataset>"
)
OGR_VRT = (
    '<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
    "</OGRVRTLayer></OGRVRTDataSource>"
)


def test_a_vrt_disguised_as_geotiff_is_refused(tmp_path):
    path = tmp_path / "evil.tif"
    path.write_text(VRT)
    with pytest.raises(UnreadableFile):
        raster_open(path, "geotiff")


def test_an_ogr_vrt_disguised_as_geojson_is_refused(tmp_path):
    path = tmp_path / "evil.geojson"
    path.write_text(OGR_VRT)
    with pytest.raises(UnreadableFile):
        vector_info(path, "geojson")


def test_a_real_geojson_opens_with_its_driver(tmp_path):
    path = tmp_path / "ok.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"id":1},"geometry":{"type":"Point","coordinates":[5,52]}}]}'
    )
    assert vector_info(path, "geojson")["features"] == 1
