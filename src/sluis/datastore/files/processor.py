"""The ``file`` kind: photos, documents and videos appended by sanitised name.

Phase 1 reads every member: its type against the data source's ``allowed_types`` and against
its name, its metadata (size, sha256, EXIF time and place, image size, PDF pages, video
duration), its timestamp (EXIF ``DateTimeOriginal``, else ``filename_pattern``, else the receipt
time) and, for images, its thumbnail. Every problem names the file. Phase 2 (after
``job.check_problems()``) hands the survivors to ``sluis.datastore.files.services.files_store``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings as django_settings

from sluis.datastore.files.models import TimestampSource
from sluis.datastore.files.services import FileToStore, files_store
from sluis.formats.errors import IngestFailed
from sluis.formats.records import Counts, Member
from sluis.formats.registry import format_get, formats_read_by
from sluis.kinds import IngestJob
from sluis.names import stored_filename_sanitise
from sluis.readers.files.images import (
    ImageRejected,
    ImageUnreadable,
    Thumbnail,
    image_thumbnail,
)
from sluis.readers.files.meta import (
    IMAGE_FORMATS,
    LENIENT_IMAGE_FORMATS,
    FileMeta,
    file_meta_read,
    name_mismatch,
)
from sluis.readers.timestamps import FilenamePattern, PatternError
from sluis.text import text_storable

KIND = "file"


def file_formats() -> frozenset[str]:
    """Every format with a ``file`` reader in the format registry."""
    return formats_read_by(KIND)


def allowed_formats(setting) -> frozenset[str]:
    """The formats an ``allowed_types`` setting admits: canonical names (``jpeg``), content types
    (``image/jpeg``) or whole families (``image/*``). Absent: every file format."""
    if setting is None:
        return file_formats()
    allowed: set[str] = set()
    for entry in setting:
        matched = _formats_for(str(entry).strip().lower())
        if not matched:
            known = ", ".join(sorted(file_formats()))
            raise IngestFailed(
                f"Ingest setting 'allowed_types' names {entry!r}, which is not a file type Sluis "
                f"knows. Use format names ({known}), content types such as 'image/jpeg', or "
                "families such as 'image/*'."
            )
        allowed |= matched
    return frozenset(allowed)


def _formats_for(entry: str) -> set[str]:
    formats = file_formats()
    if entry in formats:
        return {entry}
    types = {fmt: format_get(fmt).content_type for fmt in formats}
    if entry.endswith("/*"):
        family = entry[:-1]
        return {fmt for fmt, ctype in types.items() if ctype.startswith(family)}
    return {fmt for fmt, ctype in types.items() if ctype == entry}


class _Reader:
    """Reads the members of one job into ``FileToStore`` records, reporting problems."""

    def __init__(self, job: IngestJob):
        self.job = job
        self.allowed = allowed_formats(job.ingest_settings.get("allowed_types"))
        self.zone = _zone(job.ingest_settings.get("timezone") or "UTC")
        self.pattern = _pattern(job.ingest_settings.get("filename_pattern"))
        self.max_pixels = django_settings.SLUIS_FILES_MAX_IMAGE_PIXELS
        self.max_exif = django_settings.SLUIS_FILES_MAX_EXIF_BYTES
        self.thumb_size = django_settings.SLUIS_FILES_THUMBNAIL_SIZE

    def read_all(self) -> list[FileToStore]:
        by_name: dict[str, FileToStore] = {}
        for member in self.job.members:
            item = self.read(member)
            if item is None:
                self.job.report.rejected += 1
                continue
            if item.name in by_name:
                self.job.report.warn(
                    f"{by_name[item.name].original_filename!r} and {item.original_filename!r} "
                    f"are both stored as {item.name!r}; the last one was kept."
                )
            by_name[item.name] = item
        return list(by_name.values())

    def read(self, member: Member) -> FileToStore | None:
        if not self._type_ok(member):
            return None
        try:
            meta = file_meta_read(
                member.path, member.format, max_pixels=self.max_pixels, max_exif_bytes=self.max_exif
            )
            thumbnail = self._thumbnail(member, meta)
        except ImageRejected as exc:
            self.job.report.add(f"The image {exc}", file=text_storable(member.name))
            return None
        for warning in meta.warnings:
            self.job.report.warn(f"{text_storable(member.name)}: {warning}")
        timestamp = self._timestamp(member, meta.taken_at)
        if timestamp is None:
            return None
        return FileToStore(
            path=member.path,
            name=stored_filename_sanitise(member.name),
            original_filename=text_storable(member.name),
            format=member.format,
            meta=meta,
            timestamp=timestamp[0],
            timestamp_source=timestamp[1],
            thumbnail=thumbnail,
        )

    def _type_ok(self, member: Member) -> bool:
        fmt = member.format
        if fmt not in file_formats() or fmt not in self.allowed:
            allowed = ", ".join(sorted(self.allowed))
            shown = fmt.upper() if fmt else "of an unrecognised type"
            self.job.report.add(
                f"The content is {shown}, which this data source does not accept "
                f"(allowed: {allowed}).",
                file=text_storable(member.name),
                value=fmt,
            )
            return False
        if why := name_mismatch(member.name, fmt):
            self.job.report.add(
                f"Content and name do not match: {why}.", file=text_storable(member.name)
            )
            return False
        return True

    def _thumbnail(self, member: Member, meta: FileMeta) -> Thumbnail | None:
        """Images Pillow could read get a thumbnail; a TIFF whose pixels Pillow cannot decode
        is stored without one (see ``LENIENT_IMAGE_FORMATS``)."""
        if member.format not in IMAGE_FORMATS or meta.width is None:
            return None
        try:
            return image_thumbnail(
                member.path, member.format, max_pixels=self.max_pixels, size=self.thumb_size
            )
        except ImageUnreadable as exc:
            if member.format not in LENIENT_IMAGE_FORMATS:
                raise
            meta.warnings.append(f"no thumbnail: the {exc}")
            return None

    def _timestamp(self, member: Member, taken_at: datetime | None):
        if taken_at is not None:
            aware = self._aware(member, taken_at, "EXIF DateTimeOriginal")
            return (aware, TimestampSource.EXIF) if aware else None
        if self.pattern is not None:
            try:
                named = self.pattern.timestamp(member.name)
            except PatternError as exc:
                self.job.report.add(
                    f"filename_pattern matched, but {exc}", file=text_storable(member.name)
                )
                return None
            if named is not None:
                aware = self._aware(member, named, "the time in the file name")
                return (aware, TimestampSource.FILENAME) if aware else None
        return self.job.received_at, TimestampSource.RECEIVED

    def _aware(self, member: Member, value: datetime, what: str) -> datetime | None:
        """``value`` as an aware time; naive values are in the data source's time zone, and a
        local time that a DST change makes ambiguous or non-existent is a problem."""
        if value.tzinfo is not None:
            return value.astimezone(UTC)
        first, second = value.replace(tzinfo=self.zone), value.replace(tzinfo=self.zone, fold=1)
        if first.utcoffset() != second.utcoffset():
            self.job.report.add(
                f"{what} {value.isoformat()} is ambiguous or does not exist in {self.zone.key} "
                "(daylight saving change).",
                file=text_storable(member.name),
            )
            return None
        return first.astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise IngestFailed(
            f"Ingest setting 'timezone' names an unknown time zone {name!r}."
        ) from exc


def _pattern(pattern: str | None) -> FilenamePattern | None:
    if not pattern:
        return None
    try:
        return FilenamePattern(pattern)
    except PatternError as exc:
        raise IngestFailed(f"Ingest setting {exc}") from exc


class FileProcessor:
    """Stores photos, documents and videos; a file whose sanitised name is stored overwrites
    it, other files are added. See docs/formats/files.md."""

    kind = KIND

    @property
    def formats(self) -> frozenset[str]:
        return file_formats()

    def process(self, job: IngestJob) -> Counts:
        files = _Reader(job).read_all()
        job.check_problems()
        counts = files_store(data_source=job.data_source, upload_id=job.upload_id, files=files)
        counts.rejected = job.report.rejected
        return counts
