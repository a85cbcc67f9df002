"""The export archive itself: a ZIP with ``manifest.json`` and checksummed members.

Why ZIP rather than tar (docs/decisions/0013-export-archive.md): its central directory lets the
importer read the manifest first and check every entry before writing anything, each member
picks its own compression (CSV deflated, COGs and photos stored as they are), it can be written
to a pipe (data descriptors) and every operating system opens it. Writing never seeks; reading
checks names, special files and overlaps with the upload pre-flight's own checks
(``sluis.formats.archives.zip_unsafe_offences``) and verifies each member's size and sha256
against the manifest while the member is streamed.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sluis.formats.archives import zip_unsafe_offences
from sluis.formats.errors import Offence
from sluis.kinds import kinds_all
from sluis.transfer.errors import (
    ImportArchiveCorrupt,
    ImportArchiveInvalid,
    ImportArchiveNotFound,
    ImportArchiveUnsafe,
    ImportChecksumMismatch,
    ImportFailed,
    ImportKindMismatch,
    ImportVersionUnsupported,
)

FORMAT = "sluis-data-source-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024


def kind_folders() -> dict[str, str]:
    """Kind -> the folder every data member of that kind lives in (the kinds that export)."""
    return {kind.name: kind.archive_folder for kind in kinds_all() if kind.exporter is not None}


class HashingWriter:
    """Forwards bytes to a ZIP member while counting them and computing their sha256."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.size = 0
        self.digest = hashlib.sha256()

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def write_text(self, text: str) -> None:
        self.write(text.encode("utf-8"))


class ArchiveWriter:
    """Writes members one after the other (never seeking), then the manifest last."""

    def __init__(self, target: IO[bytes]):
        self.zip = zipfile.ZipFile(target, "w", allowZip64=True)
        self.members: list[dict[str, Any]] = []
        self.stamp = datetime.now(UTC)

    @contextmanager
    def member(
        self, path: str, *, compress: bool = True, size: int | None = None
    ) -> Iterator[HashingWriter]:
        """A new member; ``size`` when known up front (else ZIP64 sizes are always written)."""
        info = zipfile.ZipInfo(path, date_time=self.stamp.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
        if size is not None:
            info.file_size = size
        with self.zip.open(info, "w", force_zip64=size is None) as raw:
            out = HashingWriter(raw)
            yield out
        self.members.append({"path": path, "size": out.size, "sha256": out.digest.hexdigest()})

    def finish(self, manifest: dict[str, Any]) -> None:
        """Write ``manifest.json`` (with every member's size and sha256) and close the ZIP."""
        body = {"format": FORMAT, "format_version": FORMAT_VERSION, **manifest}
        body["members"] = self.members
        info = zipfile.ZipInfo(MANIFEST, date_time=self.stamp.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o100644 << 16
        self.zip.writestr(info, json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        self.zip.close()


class MemberReader:
    """Streams one member; ``finish`` reads what is left and checks size and sha256."""

    closed = False  # a readable file for pyarrow and Django's ``File``

    def __init__(self, raw: IO[bytes], path: str, expected: dict[str, Any]):
        self.raw = raw
        self.path = path
        self.expected = expected
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = _zip_read(self.raw, self.path, size)
        self.digest.update(data)
        self.size += len(data)
        return data

    def readline(self, limit: int) -> bytes:
        data = _zip_call(self.path, lambda: self.raw.readline(limit + 1))
        if len(data) > limit:
            raise ImportArchiveInvalid(f"{self.path}: a line is longer than {limit} bytes.")
        self.digest.update(data)
        self.size += len(data)
        return data

    def finish(self) -> None:
        while self.read(_CHUNK):
            pass
        if self.size != self.expected["size"] or self.digest.hexdigest() != self.expected["sha256"]:
            raise ImportChecksumMismatch(
                f"{self.path} does not match the size and sha256 in manifest.json: the archive "
                "was altered or damaged."
            )


def _zip_read(raw: IO[bytes], path: str, size: int) -> bytes:
    return _zip_call(path, lambda: raw.read(size))


def _zip_call(path: str, call):
    try:
        return call()
    except zipfile.BadZipFile as exc:
        if "CRC" in str(exc):
            raise ImportChecksumMismatch(f"{path}: {exc}; the archive was altered.") from exc
        raise ImportArchiveCorrupt(f"{path} cannot be read ({exc}).") from exc
    except (zlib.error, EOFError, OSError) as exc:
        raise ImportArchiveCorrupt(f"{path} cannot be read ({exc}).") from exc


class ArchiveReader:
    """An opened export: structure checked, manifest read and validated, members on demand."""

    def __init__(self, path: Path):
        self.path = path
        if not path.is_file():
            raise ImportArchiveNotFound(f"There is no file {str(path)!r} to import.")
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise ImportArchiveCorrupt(
                f"{path.name} is not a readable ZIP archive (damaged or truncated: {exc})."
            ) from exc
        try:
            self._check_safe()
            self.manifest = self._manifest()
            self.kind: str = self.manifest["data_source"]["kind"]
            self.expected = self._members()
        except BaseException:
            self.zip.close()
            raise
        self.verified: set[str] = set()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    @contextmanager
    def open(self, path: str) -> Iterator[MemberReader]:
        """Stream the member ``path``; its checksum is verified when the block ends normally."""
        if path not in self.expected:
            raise ImportArchiveInvalid(f"{path} is referred to but not listed in manifest.json.")
        if path in self.verified:
            raise ImportArchiveInvalid(f"{path} is referred to twice.")
        with _zip_call(path, lambda: self.zip.open(path)) as raw:
            reader = MemberReader(raw, path, self.expected[path])
            try:
                yield reader
            except ImportFailed:
                reader.finish()  # an altered member explains bad content better than its content
                raise
            reader.finish()
        self.verified.add(path)

    def check_complete(self) -> None:
        """Every listed member was read: an archive never holds data the import ignored."""
        unread = sorted(set(self.expected) - self.verified)
        if unread:
            raise ImportArchiveInvalid(
                f"{', '.join(unread[:5])} {'is' if len(unread) == 1 else 'are'} listed in "
                "manifest.json but not referred to by the data source's records."
            )

    def _check_safe(self) -> None:
        offences = zip_unsafe_offences(self.path, self.zip)
        seen = Counter(info.filename for info in self.zip.infolist())
        offences += [
            Offence(n, "appears twice", "archive_unsafe") for n, c in seen.items() if c > 1
        ]
        if offences:
            listed = "; ".join(f"{o.name!r} {o.problem}" for o in offences[:10])
            raise ImportArchiveUnsafe(f"The archive was refused: {listed}.")

    def _manifest(self) -> dict[str, Any]:
        try:
            info = self.zip.getinfo(MANIFEST)
        except KeyError:
            raise ImportArchiveInvalid(
                "The archive has no manifest.json: it is not a Sluis data source export."
            ) from None
        if info.file_size > MANIFEST_MAX_BYTES:
            raise ImportArchiveInvalid("manifest.json is larger than 16 MiB.")
        with _zip_call(MANIFEST, lambda: self.zip.open(info)) as raw:
            text = _zip_read(raw, MANIFEST, MANIFEST_MAX_BYTES + 1)
        try:
            manifest = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ImportArchiveInvalid(f"manifest.json is not valid JSON ({exc}).") from exc
        return manifest_validate(manifest)

    def _members(self) -> dict[str, dict[str, Any]]:
        listed = {m["path"]: m for m in self.manifest["members"]}
        entries = {i.filename: i for i in self.zip.infolist() if not i.is_dir()}
        entries.pop(MANIFEST)
        missing = sorted(set(listed) - set(entries))
        extra = sorted(set(entries) - set(listed))
        if missing or extra:
            raise ImportArchiveInvalid(
                "The archive's members and manifest.json disagree"
                + (f"; missing: {', '.join(missing[:5])}" if missing else "")
                + (f"; not listed: {', '.join(extra[:5])}" if extra else "")
                + "."
            )
        for path, item in listed.items():
            if entries[path].file_size != item["size"]:
                raise ImportChecksumMismatch(
                    f"{path} holds {entries[path].file_size} bytes; manifest.json says "
                    f"{item['size']}: the archive was altered or damaged."
                )
            folder = kind_folders()[self.kind]
            if not path.startswith(folder):
                raise ImportKindMismatch(
                    f"{path} is not data of a {self.kind} data source (expected under {folder})."
                )
        return listed


def manifest_validate(manifest: Any) -> dict[str, Any]:
    """The manifest's shape, version and kind; raises the matching typed error."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ImportArchiveInvalid("manifest.json does not describe a Sluis data source export.")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ImportVersionUnsupported(
            f"The archive has format version {version!r}; this Sluis reads version "
            f"{FORMAT_VERSION}."
            + (" It was written by a newer Sluis: upgrade first." if _newer(version) else "")
        )
    source = manifest.get("data_source")
    if not isinstance(source, dict) or not isinstance(source.get("name"), str):
        raise ImportArchiveInvalid("manifest.json has no data_source with a name.")
    if source.get("kind") not in kind_folders():
        raise ImportKindMismatch(
            f"manifest.json declares the kind {source.get('kind')!r}; Sluis knows "
            f"{', '.join(kind_folders())}."
        )
    members = manifest.get("members")
    if not isinstance(members, list) or not all(_member_ok(m) for m in members):
        raise ImportArchiveInvalid("manifest.json lists its members without path, size, sha256.")
    if len({m["path"] for m in members}) != len(members):
        raise ImportArchiveInvalid("manifest.json lists a member twice.")
    return manifest


def _newer(version: Any) -> bool:
    return isinstance(version, int) and version > FORMAT_VERSION


def _member_ok(member: Any) -> bool:
    return (
        isinstance(member, dict)
        and isinstance(member.get("path"), str)
        and member["path"] != MANIFEST
        and isinstance(member.get("size"), int)
        and isinstance(member.get("sha256"), str)
    )
