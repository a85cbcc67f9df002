"""Storage keys for uploads.

The client's filename is never a path: bytes are stored under keys Sluis generates, and the
sanitised name (``sluis.names.upload_filename_sanitise``) is only for display and matching (e.g.
a filename timestamp pattern).
"""

import uuid

from django.utils import timezone

ORIGINALS_PREFIX = "originals"


def storage_key_generate(*, data_source_id: int) -> str:
    """A fresh key for an original: nothing in it comes from the client."""
    now = timezone.now()
    return f"{ORIGINALS_PREFIX}/{data_source_id}/{now:%Y/%m}/{uuid.uuid4().hex}"
