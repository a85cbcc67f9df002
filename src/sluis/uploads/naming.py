"""Display names and storage keys for uploads.

The client's filename is never a path: bytes are stored under keys Sluis generates, and the
sanitised name is only for display and matching (e.g. a filename timestamp pattern).
"""

import re
import secrets
import uuid

from django.utils import timezone

ORIGINALS_PREFIX = "originals"
MAX_NAME = 255
MAX_EXTENSION = 32
_DISALLOWED = re.compile(r"[^A-Za-z0-9._-]")


def filename_sanitize(name: str) -> str:
    """Keep only ``A-Z a-z 0-9 - . _`` as the reference page says, within 255 characters.

    A name with nothing left before its extension (``""``, ``.``, ``..``, ``中文.csv``) gets a
    generated name that keeps the extension. The result is never empty and is a fixed point:
    sanitising it again returns it unchanged.
    """
    stem, extension = _split_extension(_DISALLOWED.sub("", name))
    stem = stem[: MAX_NAME - len(extension)]
    if not stem.strip("."):
        stem = f"upload-{secrets.token_hex(6)}"
    return stem + extension


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if not dot or not extension or len(extension) + 1 > MAX_EXTENSION:
        return name, ""
    return stem, "." + extension


def storage_key_generate(*, data_source_id: int) -> str:
    """A fresh key for an original: nothing in it comes from the client."""
    now = timezone.now()
    return f"{ORIGINALS_PREFIX}/{data_source_id}/{now:%Y/%m}/{uuid.uuid4().hex}"
