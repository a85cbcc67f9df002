"""The ``timeseries`` kind, declared once and registered by
``sluis.datastore.timeseries.apps.TimeseriesConfig`` in ``ready()``.

Everything Sluis derives per kind comes from this ``Kind`` (see ``sluis.kinds``); the completeness
test (tests/test_kinds.py) checks that it provides everything.
"""

from sluis.datastore.timeseries.processor import TimeseriesProcessor
from sluis.datastore.timeseries.transfer import timeseries_export, timeseries_import
from sluis.kinds import (
    DECIMAL,
    DELIMITER,
    ENCODING,
    ON_ERROR,
    PARAMETER,
    TIMEZONE,
    Kind,
    SettingKey,
)

KIND = Kind(
    name="timeseries",
    label="Timeseries",
    processor=TimeseriesProcessor(),
    settings=(
        SettingKey("columns", (dict,), "column name mapping, e.g. {'timestamp': 'datum'}"),
        DELIMITER,
        DECIMAL,
        ENCODING,
        SettingKey(
            "timestamp_format", (str,), "strptime format of timestamps (ISO 8601 when absent)"
        ),
        TIMEZONE,
        PARAMETER,
        SettingKey("unit", (str,), "fixed unit"),
        ON_ERROR,
    ),
    exporter=timeseries_export,
    importer=timeseries_import,
    archive_folder="timeseries/",
    preview="timeseries",
)
