"""The ``file`` kind, declared once and registered by
``sluis.datastore.files.apps.FilesConfig`` in ``ready()``.

Everything Sluis derives per kind comes from this ``Kind`` (see ``sluis.kinds``); the completeness
test (tests/test_kinds.py) checks that it provides everything.
"""

from sluis.datastore.files.processor import FileProcessor
from sluis.datastore.files.selectors import file_keys_referenced
from sluis.datastore.files.transfer import files_export, files_import
from sluis.kinds import FILENAME_PATTERN, ON_ERROR, TIMEZONE, Kind, SettingKey

KIND = Kind(
    name="file",
    label="File",
    processor=FileProcessor(),
    settings=(
        SettingKey(
            "allowed_types",
            (list,),
            "file kinds: allowed format names, content types or families such as 'image/*'",
        ),
        FILENAME_PATTERN,
        TIMEZONE,
        ON_ERROR,
    ),
    exporter=files_export,
    importer=files_import,
    archive_folder="files/",
    stored_objects={"files": file_keys_referenced},
    preview="file",
    mixed_archives=True,
)
