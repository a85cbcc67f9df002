"""Video duration from the container header, with hachoir (pure Python, no external program).

Each sniffed format is parsed by the one hachoir parser made for it (never hachoir's guessing).
Hachoir parses lazily, but a hostile file can still be made of millions of tiny boxes; every
read hachoir makes is counted and parsing stops at ``max_reads``, so the time spent on one file
is bounded whatever its shape. A duration that cannot be read is ``None``: the video is still
stored. See docs/decisions/0008-files.md for why hachoir, and why it is optional: hachoir is
GPL-2.0, so the base install leaves it out (``pip install "sluis[video]"`` adds it); without it
videos are stored with no duration.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

try:
    import hachoir.core.config
    from hachoir.core.log import log as hachoir_log
    from hachoir.metadata import extractMetadata
    from hachoir.parser.container import MkvFile, MP4File
    from hachoir.parser.container.riff import RiffFile
    from hachoir.stream import InputIOStream
except ImportError:  # the optional "video" extra is not installed
    _PARSERS: dict = {}
else:
    hachoir.core.config.quiet = True  # hachoir prints warnings and errors to stderr otherwise
    hachoir_log.use_print = False
    _PARSERS = {"mp4": MP4File, "mov": MP4File, "avi": RiffFile, "mkv": MkvFile, "webm": MkvFile}
MAX_READS = 20_000

log = logging.getLogger(__name__)


class ReadBudgetExceeded(Exception):
    """Parsing asked for more reads than the budget allows."""


class _CountingReader:
    """A read-only file wrapper that refuses to serve more than ``budget`` reads."""

    def __init__(self, handle, budget: int):
        self._handle, self._left = handle, budget

    def read(self, size: int = -1) -> bytes:
        self._left -= 1
        if self._left < 0:
            raise ReadBudgetExceeded()
        return self._handle.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def close(self) -> None:
        self._handle.close()


def video_duration(path: Path, fmt: str, *, max_reads: int = MAX_READS) -> float | None:
    """Seconds of playing time declared by the container, or None if it cannot be read."""
    parser_class = _PARSERS.get(fmt)
    if parser_class is None:
        return None
    with path.open("rb") as handle:
        stream = InputIOStream(_CountingReader(handle, max_reads), source=f"file:{path.name}")
        try:
            parser = parser_class(stream, validate=True)
            metadata = extractMetadata(parser)
            duration = metadata.get("duration") if metadata and metadata.has("duration") else None
        except ReadBudgetExceeded:
            log.info(
                "video header of %s needs more than %d reads; duration skipped", path, max_reads
            )
            return None
        except Exception:  # hostile input can raise anything inside hachoir
            log.info("video header of %s is unreadable", path, exc_info=True)
            return None
    seconds = duration.total_seconds() if duration is not None else None
    return seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None
