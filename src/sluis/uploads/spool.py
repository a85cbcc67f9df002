"""Writing a received file to its spool file off the request thread."""

import hashlib
import os
import queue
import threading


class SpoolWriter:
    """Writes and hashes the file's bytes in a helper thread, so that reading the socket,
    parsing, hashing and the disk overlap (``write`` and ``sha256`` release the GIL).

    At most ``DEPTH`` chunks are in flight, so memory stays bounded whatever the client sends.
    Every ``KICK`` bytes the kernel is asked to start writing back what was written
    (``POSIX_FADV_DONTNEED`` also keeps a 500 MB upload from filling the page cache), so the
    final ``fsync`` has little left to wait for.
    """

    DEPTH = 8
    KICK = 16 * 1024 * 1024

    def __init__(self, fd: int):
        self.fd = fd
        self.hash = hashlib.sha256()
        self.error: BaseException | None = None
        self._written = self._kicked = 0
        self._queue: queue.Queue = queue.Queue(maxsize=self.DEPTH)
        self._thread = threading.Thread(target=self._run, name="sluis-spool", daemon=True)
        self._thread.start()

    def put(self, data: memoryview) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put(data)

    def finish(self) -> str:
        """Wait for every byte to be written and synced; return the SHA-256 hex digest."""
        self._queue.put(None)
        self._thread.join()
        try:
            if self.error is not None:
                raise self.error
            os.fsync(self.fd)
        finally:
            os.close(self.fd)
        return self.hash.hexdigest()

    def abort(self) -> None:
        self.error = self.error or _Aborted()
        self._queue.put(None)
        self._thread.join()
        os.close(self.fd)

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self.error is None:
                try:
                    self._write(data)
                except Exception as exc:  # handed to the request thread, which raises it
                    self.error = exc

    def _write(self, data: memoryview) -> None:
        _write_all(self.fd, data)
        self.hash.update(data)
        self._written += len(data)
        if self._written - self._kicked >= self.KICK:
            length = self._written - self._kicked
            os.posix_fadvise(self.fd, self._kicked, length, os.POSIX_FADV_DONTNEED)
            self._kicked = self._written


class _Aborted(Exception):
    pass


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        data = data[os.write(fd, data) :]
