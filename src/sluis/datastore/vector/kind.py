"""The ``vector`` kind, declared once and registered by
``sluis.datastore.vector.apps.VectorConfig`` in ``ready()``.

Everything Sluis derives per kind comes from this ``Kind`` (see ``sluis.kinds``); the completeness
test (tests/test_kinds.py) checks that it provides everything.
"""

from sluis.datastore.vector.processor import VectorProcessor
from sluis.datastore.vector.services import vector_reprocess_guard
from sluis.datastore.vector.transfer import vector_export, vector_import
from sluis.kinds import DECIMAL, DELIMITER, ENCODING, ON_ERROR, SOURCE_CRS, Kind, SettingKey

KIND = Kind(
    name="vector",
    label="Vector",
    processor=VectorProcessor(),
    settings=(
        SettingKey("layer", (str,), "GeoPackage layer"),
        SettingKey("id_field", (str,), "vector feature id field"),
        SettingKey("datetime_field", (str,), "the property with each feature's time (OGC API)"),
        SOURCE_CRS,
        SettingKey(
            "geometry_columns", (dict,), "CSV geometry columns: {'lon':..,'lat':..} or {'wkt':..}"
        ),
        SettingKey(
            "invalid_geometry", (str,), "'repair' (default) or 'reject'", ("repair", "reject")
        ),
        DELIMITER,
        DECIMAL,
        ENCODING,
        ON_ERROR,
    ),
    exporter=vector_export,
    importer=vector_import,
    archive_folder="vector/",
    preview="vector",
    reprocess_guard=vector_reprocess_guard,
)
