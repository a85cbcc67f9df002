"""Logging: one format for every process, context fields, and no API token in any line.

``SLUIS_LOG_FORMAT`` picks the formatter (decision 0014):

- ``plain``: one readable line per record, ``time level logger message key=value ...``;
- ``json``: one JSON object per line with ``time`` (ISO 8601, UTC), ``level``, ``logger``,
  ``message``, ``process``, the context fields and the record's ``extra`` fields, and the
  traceback in ``exception``.

Context fields (``request_id`` during a request, ``upload_id`` while an upload is processed) are
bound with ``log_context`` and copied onto every record by ``LogContextFilter``. Tokens are
redacted from the message, the traceback and every field, in both formats.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

LOG_FORMATS = ("plain", "json")

_MAYBE_TOKEN = re.compile(r"(?i)token|bearer")  # a quick look before the real patterns
_TOKEN_PATTERNS = [
    re.compile(r"(?i)([?&;]token=)[^&\s\"'#]*"),
    re.compile(r"(?i)((?:Token|Bearer)\s+)[A-Za-z0-9._~+/=-]+"),
]


def redact(text: str) -> str:
    """Replace token values in ``text`` (query strings and Authorization values) by ``***``."""
    if not _MAYBE_TOKEN.search(text):
        return text
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


class RedactTokensFilter(logging.Filter):
    """Rewrites the record's message with tokens redacted; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


# --- context ----------------------------------------------------------------------------------

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "sluis_log_context", default=None
)


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add ``fields`` to every log record emitted inside the block (this thread or task only)."""
    token = log_context_bind(**fields)
    try:
        yield
    finally:
        log_context_reset(token)


def log_context_bind(**fields: Any) -> contextvars.Token:
    """Add ``fields`` from now on, until ``log_context_reset`` with the token returned."""
    return _context.set({**(_context.get() or {}), **fields})


def log_context_reset(token: contextvars.Token) -> None:
    _context.reset(token)


class LogContextFilter(logging.Filter):
    """Copies the bound context onto the record; a field given as ``extra`` wins."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_context.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


# --- formatters -------------------------------------------------------------------------------

_STANDARD = frozenset(RESERVED_ATTRS) | {"taskName"}


def iso_time(record: logging.LogRecord) -> str:
    """``2026-11-26T00:31:55.123Z``: ISO 8601, UTC, milliseconds."""
    moment = datetime.fromtimestamp(record.created, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The record's context and ``extra`` fields (everything not standard to a LogRecord)."""
    return {
        key: value
        for key, value in record.__dict__.items()
        if key not in _STANDARD and not key.startswith("_")
    }


def _clean(value: Any) -> Any:
    """A JSON-ready copy of ``value`` with tokens redacted from every string in it."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    return redact(value if isinstance(value, str) else str(value))


class JsonFormatter(_JsonFormatter):
    """One JSON object per line; ``time`` first, then the standard fields, then the rest."""

    def __init__(self) -> None:
        super().__init__(
            ["levelname", "name", "message", "process"],
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
            reserved_attrs=sorted(_STANDARD),
        )

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        log_data["time"] = iso_time(record)
        super().add_fields(log_data, record, message_dict)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return _clean(log_data)


class PlainFormatter(logging.Formatter):
    """``time level logger message key=value ...`` and the traceback. Only scalar fields are
    shown, and not those the message already says (an ``extra`` of ``_in_message=(names)``)."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = f"{iso_time(record)} {super().format(record)}"
        return redact(line)

    def formatMessage(self, record: logging.LogRecord) -> str:
        said = getattr(record, "_in_message", ())
        fields = [
            f"{key}={value}"
            for key, value in extra_fields(record).items()
            if isinstance(value, str | int | float) and value != "" and key not in said
        ]
        return " ".join([super().formatMessage(record), *fields])


class StderrHandler(logging.StreamHandler):
    """Writes to ``sys.stderr`` as it is at each record, not as it was when logging was set up,
    so a process that swaps its standard error (a test runner capturing it, a daemon
    redirecting it) never writes into a closed stream."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass  # always the current sys.stderr


def logging_config(*, level: str, log_format: str) -> dict[str, Any]:
    """``LOGGING`` for Django: one stderr handler on the root logger, every library propagating
    to it (gunicorn and Celery are set up to do so), tokens redacted, context added."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"SLUIS_LOG_FORMAT must be 'plain' or 'json', not {log_format!r}")
    # Python warnings (e.g. Celery's about running as root) become records, not raw stderr text.
    logging.captureWarnings(True)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact_tokens": {"()": "sluis.config.logging.RedactTokensFilter"},
            "context": {"()": "sluis.config.logging.LogContextFilter"},
        },
        "formatters": {
            "plain": {"()": "sluis.config.logging.PlainFormatter"},
            "json": {"()": "sluis.config.logging.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "sluis.config.logging.StderrHandler",
                "formatter": log_format,
                "filters": ["context", "redact_tokens"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"level": level},
            # 4xx/5xx are in the access line; Django's own line only for errors (traceback).
            "django.request": {"level": "ERROR"},
        },
    }
