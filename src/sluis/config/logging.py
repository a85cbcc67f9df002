"""Logging filter that keeps API tokens out of every log line."""

import logging
import re

_TOKEN_PATTERNS = [
    re.compile(r"(?i)([?&;]token=)[^&\s\"'#]*"),
    re.compile(r"(?i)((?:Token|Bearer)\s+)[A-Za-z0-9._~+/=-]+"),
]


def redact(text: str) -> str:
    """Replace token values in ``text`` (query strings and Authorization values) by ``***``."""
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
