"""Which process is processing an upload, and whether it is provably gone.

An attempt records its owner (``Upload.claimed_by``) as ``<host>:<pid>:<start time>``. A worker on
the same host can then tell at once that the owner died (no process with that pid and start
time: a reused pid has another start time) and take the upload back, instead of waiting for the
lease (the hard time limit plus a margin). An owner on another host is never judged from here.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path


def process_owner() -> str:
    """This process: ``<host>:<pid>:<start time in clock ticks since boot>``."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid) or 0}"


def owner_gone(owner: str) -> bool:
    """True only when ``owner`` ran on this host and that very process no longer runs."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or parts[0] != socket.gethostname():
        return False
    _, pid, started = parts
    return _start_time(int(pid)) != (int(started) if started.isdigit() else None)


def _start_time(pid: int) -> int | None:
    """The start time of a running (not zombie) process ``pid``, or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    if not fields or fields[0] in ("Z", "X"):
        return None
    return int(fields[19])
