"""The ``raster`` kind, declared once and registered by
``sluis.datastore.rasters.apps.RastersConfig`` in ``ready()``.

Everything Sluis derives per kind comes from this ``Kind`` (see ``sluis.kinds``); the completeness
test (tests/test_kinds.py) checks that it provides everything.
"""

from sluis.datastore.rasters.processor import RasterProcessor
from sluis.datastore.rasters.selectors import raster_keys_referenced
from sluis.datastore.rasters.transfer import rasters_export, rasters_import
from sluis.kinds import (
    FILENAME_PATTERN,
    ON_ERROR,
    PARAMETER,
    SOURCE_CRS,
    TIMEZONE,
    Kind,
    SettingKey,
)

KIND = Kind(
    name="raster",
    label="Raster",
    processor=RasterProcessor(),
    settings=(
        FILENAME_PATTERN,
        TIMEZONE,
        PARAMETER,
        SettingKey("variable", (str,), "NetCDF variable"),
        SettingKey(
            "frame_time",
            (str,),
            "time of a frame that carries none: 'received' (the upload's) or an ISO 8601 time",
        ),
        SOURCE_CRS,
        ON_ERROR,
    ),
    exporter=rasters_export,
    importer=rasters_import,
    archive_folder="rasters/",
    stored_objects={"rasters": raster_keys_referenced},
    preview="raster",
)
