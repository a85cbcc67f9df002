"""The shared pieces of importing the kinds stored as objects (raster frames, files; each
kind's own importer is in ``datastore/<kind>/transfer.py``).

Two phases, so that the database's write transaction stays short (on SQLite it is the one write
lock of the installation) and nothing reaches object storage before every member checked out:

1. Every member is extracted to a private work folder beside the spool (same filesystem as local
   storage, so storing is a rename), its checksum verified, its content checked: a COG is opened
   with the GTiff driver only and must have the size, bands and type its record says; a file's
   bytes must be of its recorded format and match its recorded size and sha256.
2. One transaction creates the data source, stores the objects under the usual keys (each key
   appended to ``saved`` before it is written, so the caller can delete them on failure) and
   inserts the rows in bulk."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File

from sluis.formats.sniffing import HEAD_SIZE, sniff, zip_head_document_format
from sluis.transfer.archive import ArchiveReader, MemberReader
from sluis.transfer.records import invalid
from sluis.uploads.storage import IMPORT_FOLDER_PREFIX, object_storage, spool_dir

_CHUNK = 1024 * 1024


_TEXT_FORMATS = {"txt", "csv", "json"}


@contextmanager
def work_folder() -> Iterator[Path]:
    """A private folder in the spool; ``sluis storage sweep`` removes one a killed import left."""
    parent = spool_dir()
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=IMPORT_FOLDER_PREFIX, dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def extract(
    archive: ArchiveReader, path: str, target: Path, *, expect: str | None = None
) -> MemberReader:
    """Copy the member ``path`` to ``target``; checksum verified, content sniffed if asked."""
    with archive.open(path) as member, target.open("xb") as out:
        head = member.read(HEAD_SIZE)
        if expect is not None:
            content_check(path, head, expect)
        out.write(head)
        while chunk := member.read(_CHUNK):
            out.write(chunk)
    return member


def content_check(path: str, head: bytes, wanted: str) -> None:
    """The bytes are of the recorded format (text formats and TIFF flavours count as one)."""
    found = sniff(head, path)
    if found == "zip":
        found = zip_head_document_format(head)
    same = {found, wanted} <= _TEXT_FORMATS or {found, wanted} <= {"tiff", "geotiff"}
    if found != wanted and not same:
        raise invalid(path, None, f"holds {found} content, its record says {wanted}")


class _Movable(File):
    """A local file that FileSystemStorage may move into place instead of copying."""

    def __init__(self, path: Path):
        super().__init__(path.open("rb"), name=str(path))
        self.path = str(path)

    def temporary_file_path(self) -> str:
        return self.path


def store(path: Path, key: str, saved: list[str]) -> str:
    """Store the local file under ``key`` (a rename on local storage, an upload on S3)."""
    saved.append(key)  # before saving: a failed save may leave a partial object there
    with _Movable(path) as content:
        stored = object_storage().save(key, content)
    if stored != key:
        saved.append(stored)
    return stored
