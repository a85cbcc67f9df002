"""sluis-client: upload data to Sluis (the Nexus sync-task upload API) from Python.

>>> from sluis_client import Client
>>> with Client("https://sluis.example.org", token="...") as sluis:  # doctest: +SKIP
...     task = next(sluis.sync_tasks(search="water levels"))
...     result = sluis.upload(task.id, "levels.csv")
...     status = sluis.wait(result)
"""

__version__ = "0.1.0"

from sluis_client.archive import zip_files
from sluis_client.client import Client, api_root
from sluis_client.errors import (
    ApiError,
    BadRequest,
    Busy,
    ConfigurationError,
    ConnectionFailed,
    Forbidden,
    NotFound,
    NotUploadable,
    ProcessingFailed,
    RateLimited,
    ServerError,
    SluisClientError,
    TooLarge,
    UnsupportedFormat,
    WaitTimeout,
)
from sluis_client.models import Counts, Problem, SyncTask, UploadResult, UploadStatus
from sluis_client.retry import PollPolicy, RetryPolicy
from sluis_client.streaming import remote_filename

__all__ = [
    "ApiError",
    "BadRequest",
    "Busy",
    "Client",
    "ConfigurationError",
    "ConnectionFailed",
    "Counts",
    "Forbidden",
    "NotFound",
    "NotUploadable",
    "PollPolicy",
    "Problem",
    "ProcessingFailed",
    "RateLimited",
    "RetryPolicy",
    "ServerError",
    "SluisClientError",
    "SyncTask",
    "TooLarge",
    "UnsupportedFormat",
    "UploadResult",
    "UploadStatus",
    "WaitTimeout",
    "__version__",
    "api_root",
    "remote_filename",
    "zip_files",
]
