from sluis.errors import NotFound, SluisError


class SyncTaskNotFound(NotFound):
    code = "sync_task_not_found"
    default_detail = "The sync task does not exist."


class InvalidDataSource(SluisError):
    code = "invalid_data_source"
    default_detail = "The data source is invalid."
