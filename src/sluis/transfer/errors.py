"""Typed errors of export and import; each ``code`` is stable (docs/api.md, docs/cli.md)."""

from sluis.errors import NotFound, SluisError


class ExportSourceNotFound(NotFound):
    code = "export_source_not_found"
    default_detail = "No data source has this id."


class ExportObjectMissing(SluisError):
    code = "export_object_missing"
    default_detail = "A stored object of the data source is missing from object storage."


class ExportOutputFailed(SluisError):
    code = "export_output_failed"
    default_detail = "The archive could not be written."


class ImportFailed(SluisError):
    """Base of every import refusal: nothing was created and no object was left behind."""

    code = "import_failed"
    default_detail = "The archive could not be imported."


class ImportArchiveNotFound(ImportFailed):
    code = "import_archive_not_found"
    default_detail = "There is no archive at this path."


class ImportArchiveCorrupt(ImportFailed):
    code = "import_archive_corrupt"
    default_detail = "The file is not a readable ZIP archive (damaged or truncated)."


class ImportArchiveInvalid(ImportFailed):
    code = "import_archive_invalid"
    default_detail = "The archive is not a valid Sluis data source export."


class ImportArchiveUnsafe(ImportFailed):
    code = "import_archive_unsafe"
    default_detail = "The archive holds unsafe member names or special files."


class ImportChecksumMismatch(ImportFailed):
    code = "import_checksum_mismatch"
    default_detail = "A member of the archive does not match the checksum in its manifest."


class ImportVersionUnsupported(ImportFailed):
    code = "import_version_unsupported"
    default_detail = "The archive was written in a format version this Sluis cannot read."


class ImportKindMismatch(ImportFailed):
    code = "import_kind_mismatch"
    default_detail = "The archive's data does not match the kind its manifest declares."


class ImportNameTaken(ImportFailed):
    code = "import_name_taken"
    default_detail = "The organization already has a data source with this name."
