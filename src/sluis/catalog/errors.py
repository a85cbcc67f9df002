from sluis.errors import NotFound, SluisError


class SyncTaskNotFound(NotFound):
    code = "sync_task_not_found"
    default_detail = "The sync task does not exist."


class DataSourceNotFound(NotFound):
    """The one "no such data source" of every endpoint and command: it never tells a caller
    whether a data source they may not see exists."""

    code = "data_source_not_found"
    default_detail = "No data source with that id exists, or you may not access it."


class InvalidDataSource(SluisError):
    code = "invalid_data_source"
    default_detail = "The data source is invalid."


class FilterNeedsToken(SluisError):
    status_code = 403
    code = "filter_needs_token"
    default_detail = (
        "Filters of this listing need a token (anonymous callers get all public items)."
    )


class FilterNotOffered(SluisError):
    code = "filter_not_offered"
    default_detail = "Sluis has one world and no locales: 'world' and 'locale' are not offered."


class InvalidIngestSettings(InvalidDataSource):
    code = "invalid_ingest_settings"
    default_detail = "The ingest settings are invalid."


class InvalidGrant(SluisError):
    code = "invalid_grant"
    default_detail = "The grant is invalid."
