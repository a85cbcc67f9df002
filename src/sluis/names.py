"""Filename sanitising as the Nexus upload page specifies it: the one family every part of Sluis
uses.

Only ``A-Z a-z 0-9 - . _`` are kept (``evaporation#2020-1-1.tif`` → ``evaporation2020-1-1.tif``);
a name with nothing left before its extension gets a generated stem and keeps the extension; long
names are cut keeping the extension. ``filename_sanitise`` is the rule; the two callers differ
only in what they bound and generate:

- ``upload_filename_sanitise``: an upload's display name (``Upload.filename``), at most 255
  characters, a random ``upload-…`` stem when nothing is left.
- ``stored_filename_sanitise``: the key a stored file is overwritten under (``StoredFile.name``),
  the last path part only (archive members carry folders), at most 200 characters, a
  ``file-<hash of the name>`` stem so that sending the same name again overwrites the same file.

Pure Python, so readers may use it too.
"""

import hashlib
import re
import secrets
from collections.abc import Callable

_DISALLOWED = re.compile(r"[^A-Za-z0-9._-]")

UPLOAD_MAX_NAME = 255
UPLOAD_MAX_EXTENSION = 32
STORED_MAX_NAME = 200
STORED_MAX_EXTENSION = 16  # without the dot


def filename_sanitise(
    name: str, *, generated: Callable[[], str], max_length: int = 255, max_extension: int = 32
) -> str:
    """The sanitised ``name``: never empty, at most ``max_length`` characters, and a fixed point
    (sanitising it again changes nothing). ``max_extension`` counts the dot; a longer "extension"
    is treated as part of the stem."""
    stem, extension = _split_extension(_DISALLOWED.sub("", name), max_extension)
    stem = stem[: max_length - len(extension)]
    if not stem.strip("."):
        stem = generated()
    return stem + extension


def upload_filename_sanitise(name: str) -> str:
    """An upload's display name: a name with nothing left gets a random ``upload-…`` stem."""
    return filename_sanitise(
        name,
        generated=lambda: f"upload-{secrets.token_hex(6)}",
        max_length=UPLOAD_MAX_NAME,
        max_extension=UPLOAD_MAX_EXTENSION,
    )


def stored_filename_sanitise(name: str) -> str:
    """The key a stored file is kept and overwritten under: ``[A-Za-z0-9._-]+``, at most 200
    characters, from the last path part only (``folder/photo.jpg`` → ``photo.jpg``).

    A name whose stem sanitises to nothing (``""``, ``".."``, ``"中文.jpg"``) gets
    ``file-<hash>`` with the extension kept; the hash is of the original name, so uploading the
    same name again overwrites the same file. Idempotent.
    """
    return filename_sanitise(
        basename(name),
        generated=lambda: (
            "file-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        ),
        max_length=STORED_MAX_NAME,
        max_extension=STORED_MAX_EXTENSION + 1,
    )


def basename(name: str) -> str:
    """The last component of a name, whatever its separators (zip members use ``/``)."""
    return re.split(r"[/\\]", name)[-1]


def _split_extension(name: str, max_extension: int) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if not dot or not extension or len(extension) + 1 > max_extension:
        return name, ""
    return stem, "." + extension
