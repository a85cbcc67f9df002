"""Names of stored files: the sanitised key a file is stored and overwritten under.

Plain Python, no Django. Timestamps in names are read by ``timestamps.FilenamePattern``, shared
with rasters.
"""

import hashlib
import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
MAX_NAME_LENGTH = 200
MAX_EXTENSION_LENGTH = 16


def name_sanitise(name: str) -> str:
    """The key a file is stored and overwritten under: ``[A-Za-z0-9._-]+``, at most 200 chars.

    Only the last path part counts (zip members arrive as ``folder/photo.jpg``). Characters
    outside ``A-Z a-z 0-9 - . _`` are dropped, as the Nexus page says. A name whose stem
    sanitises to nothing (``""``, ``".."``, ``"中文.jpg"``) gets ``file-<hash>`` with the
    extension kept; the hash is of the original name, so uploading the same name again
    overwrites the same file. Long names are cut with the extension kept. Idempotent.
    """
    base = re.split(r"[\\/]", name)[-1]
    clean = _UNSAFE.sub("", base)
    stem, dot, extension = clean.rpartition(".")
    if not dot:
        stem, extension = clean, ""
    if len(extension) > MAX_EXTENSION_LENGTH:
        stem, extension = clean, ""
    if not stem.strip("."):
        return _generated(name, extension)
    if len(clean) <= MAX_NAME_LENGTH:
        return clean
    suffix = f".{extension}" if dot and extension else ""
    return stem[: MAX_NAME_LENGTH - len(suffix)] + suffix


def _generated(name: str, extension: str) -> str:
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"file-{digest}.{extension}" if extension.strip(".") else f"file-{digest}"
