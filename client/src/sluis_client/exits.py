"""The exit statuses of ``sluis-upload`` and the error each one stands for (see ``cli``)."""

from __future__ import annotations

from sluis_client.errors import (
    BadRequest,
    Busy,
    ConfigurationError,
    ConnectionFailed,
    Forbidden,
    NotFound,
    ProcessingFailed,
    SluisClientError,
    TooLarge,
    UnsupportedFormat,
    WaitTimeout,
)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_FORBIDDEN = 3
EXIT_NOT_FOUND = 4
EXIT_BAD_REQUEST = 5
EXIT_BUSY = 6
EXIT_TOO_LARGE = 7
EXIT_UNSUPPORTED_FORMAT = 8
EXIT_PROCESSING_FAILED = 9
EXIT_CONNECTION_FAILED = 10
EXIT_WAIT_TIMEOUT = 11
EXIT_INTERRUPTED = 130

# Most specific first: UnsupportedFormat is a BadRequest.
_EXIT_CODES: list[tuple[type[SluisClientError], int]] = [
    (ConfigurationError, EXIT_USAGE),
    (Forbidden, EXIT_FORBIDDEN),
    (NotFound, EXIT_NOT_FOUND),
    (UnsupportedFormat, EXIT_UNSUPPORTED_FORMAT),
    (BadRequest, EXIT_BAD_REQUEST),
    (Busy, EXIT_BUSY),
    (TooLarge, EXIT_TOO_LARGE),
    (ProcessingFailed, EXIT_PROCESSING_FAILED),
    (ConnectionFailed, EXIT_CONNECTION_FAILED),
    (WaitTimeout, EXIT_WAIT_TIMEOUT),
]


def exit_code_for(error: SluisClientError) -> int:
    """The documented exit status for ``error``."""
    for cls, code in _EXIT_CODES:
        if isinstance(error, cls):
            return code
    return EXIT_ERROR
