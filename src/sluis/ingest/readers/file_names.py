"""Names of stored files: the sanitised key a file is stored and overwritten under.

Plain Python, no Django. Timestamps in names are read by ``timestamps.FilenamePattern``, shared
with rasters.
"""

import hashlib

from sluis.names import basename, sanitize_filename

MAX_NAME_LENGTH = 200
MAX_EXTENSION_LENGTH = 16


def name_sanitise(name: str) -> str:
    """The key a file is stored and overwritten under: ``[A-Za-z0-9._-]+``, at most 200 chars.

    Only the last path part counts (zip members arrive as ``folder/photo.jpg``). A name whose
    stem sanitises to nothing (``""``, ``".."``, ``"中文.jpg"``) gets ``file-<hash>`` with the
    extension kept; the hash is of the original name, so uploading the same name again
    overwrites the same file. Idempotent.
    """
    return sanitize_filename(
        basename(name),
        generated=lambda: (
            "file-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        ),
        max_length=MAX_NAME_LENGTH,
        max_extension=MAX_EXTENSION_LENGTH + 1,
    )
