"""``zip_files``: one archive for many files, keeping every name exactly.

Sluis (like Nexus) sanitises the name of an uploaded file to ``A-Z a-z 0-9 - . _``, so
``evaporation#2020-1-1.tif`` would arrive as ``evaporation2020-1-1.tif``. Names *inside* a zip are
kept, which is what the reference page advises when a name carries meaning.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from sluis_client.streaming import remote_filename


def zip_files(
    paths: Iterable[str | os.PathLike[str]],
    destination: str | os.PathLike[str] | None = None,
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    r"""Write the files (and the files under folders) in ``paths`` to a zip and return its path.

    Each file is stored under its own name (``C:\data\levels#1.csv`` as ``levels#1.csv``); the
    files under a folder keep their path below the folder's parent, with ``/`` separators. Names
    are stored as UTF-8, so any Unicode name survives. Two files with the same stored name are a
    ``ValueError``: one would silently replace the other. Without ``destination`` the archive is
    a new temporary file that the caller deletes. Files are streamed into the archive, never read
    whole into memory.
    """
    entries = _entries(paths)
    target = Path(destination) if destination is not None else _temporary_zip()
    with zipfile.ZipFile(target, "w", compression=compression, strict_timestamps=False) as zf:
        for source, arcname in entries:
            zf.write(source, arcname)
    return target


def _entries(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[Path, str]]:
    entries: dict[str, Path] = {}
    for given in paths:
        for source, arcname in _expand(given):
            if arcname in entries:
                raise ValueError(f"Two files would be stored as {arcname!r}: rename one of them.")
            entries[arcname] = source
    if not entries:
        raise ValueError("No files to zip.")
    return [(source, arcname) for arcname, source in entries.items()]


def _expand(given: str | os.PathLike[str]) -> Iterator[tuple[Path, str]]:
    path = Path(given)
    if not path.is_dir():
        if not path.is_file():
            raise FileNotFoundError(f"No such file: {os.fspath(given)}")
        yield path, remote_filename(given)
        return
    top = remote_filename(path.resolve())
    for source in sorted(p for p in path.rglob("*") if p.is_file()):
        yield source, "/".join([top, *source.relative_to(path).parts])


def _temporary_zip() -> Path:
    handle, name = tempfile.mkstemp(prefix="sluis-upload-", suffix=".zip")
    os.close(handle)
    return Path(name)
