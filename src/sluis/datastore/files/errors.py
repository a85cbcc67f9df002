from sluis.errors import NotFound


class StoredFileNotFound(NotFound):
    code = "file_not_found"
    default_detail = "The file does not exist or you may not read it."
