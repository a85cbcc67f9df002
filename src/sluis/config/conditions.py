"""Conditions of the server that are not bugs: a database write lock held past the busy
timeout, a full disk. Recognised from the exceptions the database driver and the OS raise, so
that the one exception handler (``config/exceptions.py``) answers them 503/507 instead of 500,
and the worker can fail an upload with a readable reason instead of an internal error."""

import errno

from django.conf import settings
from django.db import OperationalError

from sluis.errors import DatabaseBusy, InsufficientStorage, SluisError

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def is_database_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" (the busy timeout ran out), anywhere in the chain."""
    return any(isinstance(e, OperationalError) and "locked" in str(e).lower() for e in _chain(exc))


def is_disk_full(exc: BaseException) -> bool:
    """No space left (ENOSPC, a quota, a file too large) or SQLite's "database or disk is full",
    anywhere in the chain of causes."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in _DISK_FULL:
            return True
        if isinstance(e, OperationalError) and "disk is full" in str(e).lower():
            return True
    return False


def server_condition(exc: BaseException) -> SluisError | None:
    """The typed error for a server condition, or None for anything else."""
    if is_disk_full(exc):
        return InsufficientStorage()
    if is_database_locked(exc):
        return DatabaseBusy(headers={"Retry-After": str(settings.SLUIS_UPLOAD_RETRY_AFTER)})
    return None


def _chain(exc: BaseException | None):
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__
