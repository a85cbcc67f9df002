"""How values become text that Sluis stores or shows: one rule each, used everywhere.

- ``DATETIME_FORMAT`` / ``datetime_text``: every date-time in a JSON body, in UTC, whole seconds,
  ``Z`` (``2021-01-18T11:55:11Z``, as the Nexus upload page shows). DRF's ``DATETIME_FORMAT``
  setting is this constant, so serializer fields and hand-built bodies (a 409's
  ``running_upload``) give the same text for the same moment.
- ``text_shown``: a message a supplier reads, with the server's own paths (the data and work
  folders, quoted or not) replaced by "the file" and ``[Errno N]`` prefixes dropped: library
  messages quoted in a problem must not reveal where Sluis keeps its files.
- ``text_storable``: text from a supplier's file (names, messages quoting it) made storable in
  every database: NUL (which PostgreSQL text refuses) becomes U+FFFD, and lone surrogates (which
  no UTF-8 column takes) become ``?``. Nothing is deleted, so a reader still sees that something
  was there.

Plain Python, no Django.
"""

import re
from collections.abc import Iterable
from datetime import UTC, datetime

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""The one date-time format of the API (REST_FRAMEWORK["DATETIME_FORMAT"])."""


def datetime_text(moment: datetime | None) -> str | None:
    """``moment`` as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (a naive moment is taken as UTC); None
    stays None."""
    if moment is None:
        return None
    aware = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.strftime(DATETIME_FORMAT)


def text_storable(text: str) -> str:
    """``text`` with NUL replaced by U+FFFD and unencodable surrogates by ``?``."""
    return text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


_ERRNO = re.compile(r"\[Errno -?\d+\]\s*")


def text_shown(text: str, hidden: Iterable[str]) -> str:
    """``text`` with every path under one of the ``hidden`` folders (and its quotes) replaced by
    "the file", and ``[Errno N]`` prefixes removed."""
    for root in sorted({h.rstrip("/") for h in hidden if h and h != "/"}, key=len, reverse=True):
        path = f"['\"]?{re.escape(root)}(?![\\w.-])(?:/[^\\s'\"]*)?['\"]?"
        text = re.sub(path, "the file", text)
    return _ERRNO.sub("", text)
