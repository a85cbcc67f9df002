"""The file side of an upload: a name to send, a known size and a body read in chunks.

httpx builds the multipart body as a stream (64 KiB chunks) and computes ``Content-Length``
from the file's size, so a 500 MB file is never held in memory. ``UploadBody`` sits between
httpx and the file to report progress, to restart from the same position on a retry, and to
send exactly ``size`` bytes even if the file grows meanwhile. A non-seekable input (a pipe) is
first copied to a temporary file on disk: Sluis needs a ``Content-Length`` and a retry needs to
read the bytes again.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from types import TracebackType
from typing import IO, BinaryIO

ProgressCallback = Callable[[int, "int | None"], None]
"""Called as ``progress(bytes_sent, total_bytes)`` while the file is sent (restarts on retry)."""

PathOrFile = str | os.PathLike[str] | BinaryIO | IO[bytes]

_SEPARATORS = re.compile(r"[\\/]")


def remote_filename(path: str | os.PathLike[str]) -> str:
    r"""The last component of ``path`` with both ``/`` and ``\`` taken as separators.

    A Windows path such as ``C:\data\levels#1.csv`` therefore sends ``levels#1.csv`` on any
    operating system: the server never sees a directory or drive of the supplier's machine.
    """
    name = _SEPARATORS.split(os.fspath(path))[-1]
    return name or "upload"


class UploadBody:
    """A read-only view of ``size`` bytes of ``raw`` from ``start``, reporting progress.

    It offers ``read``, ``seek`` and ``tell`` (and no ``fileno``), which is what httpx uses to
    find the length and to stream the multipart part.
    """

    def __init__(
        self, raw: IO[bytes], *, start: int, size: int, progress: ProgressCallback | None
    ) -> None:
        self._raw = raw
        self._start = start
        self.size = size
        self.sent = 0
        self._progress = progress

    def read(self, n: int = -1) -> bytes:
        remaining = self.size - self.sent
        if remaining <= 0:
            return b""
        chunk = self._raw.read(remaining if n is None or n < 0 else min(n, remaining))
        self.sent += len(chunk)
        if self._progress is not None:
            self._progress(self.sent, self.size)
        return chunk

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self.sent + offset
        else:
            position = self.size + offset
        self._raw.seek(self._start + position)
        self.sent = position
        return position

    def tell(self) -> int:
        return self.sent


class FileSource:
    """An upload's input, opened once and re-readable from its start for every attempt."""

    def __init__(self, source: PathOrFile, filename: str | None = None) -> None:
        self._owned: IO[bytes] | None = None
        self._raw: IO[bytes]
        if isinstance(source, str | os.PathLike):
            self._owned = self._raw = open(source, "rb")
            self.filename = filename or remote_filename(source)
        else:
            if isinstance(source, io.TextIOBase):
                raise TypeError("Open the file in binary mode ('rb') to upload it.")
            self.filename = filename or _name_of(source)
            self._raw = source if _seekable(source) else self._spool(source)
        self._start = self._raw.tell()
        self.size = self._raw.seek(0, io.SEEK_END) - self._start
        self._raw.seek(self._start)

    def _spool(self, stream: IO[bytes]) -> IO[bytes]:
        self._owned = tempfile.TemporaryFile()
        shutil.copyfileobj(stream, self._owned, 1024 * 1024)
        self._owned.seek(0)
        return self._owned

    def body(self, progress: ProgressCallback | None) -> UploadBody:
        """A fresh body positioned at the start, for one attempt."""
        self._raw.seek(self._start)
        return UploadBody(self._raw, start=self._start, size=self.size, progress=progress)

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()

    def __enter__(self) -> FileSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return bool(stream.seekable()) and stream.tell() >= 0
    except (AttributeError, OSError, ValueError):
        return False


def _name_of(stream: IO[bytes]) -> str:
    name = getattr(stream, "name", None)
    return remote_filename(name) if isinstance(name, str) and name else "upload"
