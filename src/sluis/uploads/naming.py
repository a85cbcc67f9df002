"""Display names and storage keys for uploads.

The client's filename is never a path: bytes are stored under keys Sluis generates, and the
sanitised name is only for display and matching (e.g. a filename timestamp pattern).
"""

import secrets
import uuid

from django.utils import timezone

from sluis.names import sanitize_filename

ORIGINALS_PREFIX = "originals"
MAX_NAME = 255
MAX_EXTENSION = 32


def filename_sanitize(name: str) -> str:
    """The upload's display name (see ``sluis.names``); a name with nothing left gets a random
    ``upload-…`` stem, within 255 characters."""
    return sanitize_filename(
        name,
        generated=lambda: f"upload-{secrets.token_hex(6)}",
        max_length=MAX_NAME,
        max_extension=MAX_EXTENSION,
    )


def storage_key_generate(*, data_source_id: int) -> str:
    """A fresh key for an original: nothing in it comes from the client."""
    now = timezone.now()
    return f"{ORIGINALS_PREFIX}/{data_source_id}/{now:%Y/%m}/{uuid.uuid4().hex}"
