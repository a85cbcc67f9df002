"""Filename sanitising as the Nexus upload page specifies it, shared by every part of Sluis.

Only ``A-Z a-z 0-9 - . _`` are kept (``evaporation#2020-1-1.tif`` → ``evaporation2020-1-1.tif``);
a name with nothing left before its extension gets a generated stem and keeps the extension; long
names are cut keeping the extension. Pure Python, so readers may use it too.
"""

import re
from collections.abc import Callable

_DISALLOWED = re.compile(r"[^A-Za-z0-9._-]")


def sanitize_filename(
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


def basename(name: str) -> str:
    """The last component of a name, whatever its separators (zip members use ``/``)."""
    return re.split(r"[/\\]", name)[-1]


def _split_extension(name: str, max_extension: int) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if not dot or not extension or len(extension) + 1 > max_extension:
        return name, ""
    return stem, "." + extension
