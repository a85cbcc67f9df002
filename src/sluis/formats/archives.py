"""ZIP and gzip: pre-flight from the central directory, then streamed, capped extraction.

Nothing is extracted before ``zip_inspect`` has walked the whole central directory and checked
every member (docs/formats/archives.md): the declared member count (read from the end record before
the directory is parsed), per-member and total declared sizes, the compression ratio, overlapping
entries (our own check: Python 3.11.7 lacks CPython's fix for overlapping-entry bombs), names
(absolute, ``..``, drive letters, backslashes, control characters), symlinks and special files,
encryption, compression methods, nested archives, mixed formats and shapefile sidecars.
``zip_extract`` then streams each planned member with a hard byte cap to a generated name; it never
calls ``extractall``. No Django here: budgets come in as a ``Budgets``.
"""

from __future__ import annotations

import gzip
import re
import stat
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from io import BufferedIOBase
from pathlib import Path, PurePosixPath
from typing import IO

from sluis.formats.errors import Offence, Rejected
from sluis.formats.records import Member
from sluis.formats.registry import describe, format_get, formats_for_extension
from sluis.formats.sniffing import (
    ARCHIVES,
    HEAD_SIZE,
    extension,
    name_conflict,
    sniff,
    zip_head_document_format,
)
from sluis.formats.zipdir import directory_scan

CHUNK = 1024 * 1024
IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
ALLOWED_COMPRESSION = {
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
}
SHAPEFILE_PARTS = {"shp", "shx", "dbf", "prj", "cpg"}
JSON_FORMATS = {"json", "geojson", "pi-json", "topojson"}
_DRIVE = re.compile(r"^[A-Za-z]:")
_SAFE_EXTENSION = re.compile(r"^\.[a-z0-9]{1,8}$")


@dataclass(frozen=True)
class Budgets:
    """Every limit of unpacking; each one is a setting (docs/configuration.md)."""

    max_members: int = 10_000
    max_member_size: int = 1024**3
    max_total_size: int = 2 * 1024**3
    max_ratio: int = 200
    ratio_min_size: int = 1024 * 1024
    max_json_size: int = 100 * 1024 * 1024

    def member_cap(self, fmt: str) -> int:
        return self.max_json_size if fmt in JSON_FORMATS else self.max_member_size


@dataclass(frozen=True)
class Planned:
    """A member that passed the pre-flight: where it is, its format and its generated name."""

    name: str
    format: str
    declared_size: int
    target: str
    info: zipfile.ZipInfo | None = None


# Files GIS software writes beside a shapefile (spatial indexes, metadata, attribute indexes):
# never needed to read it, ignored when their shapefile is in the archive.
SHAPEFILE_SIDECARS = (
    ".sbn",
    ".sbx",
    ".shp.xml",
    ".shp.iso.xml",
    ".qix",
    ".fbn",
    ".fbx",
    ".ain",
    ".aih",
    ".atx",
    ".qmd",
    ".cst",
    ".idx",
)


def _without_sidecars(infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    shapefiles = {i.filename[:-4].lower() for i in infos if i.filename.lower().endswith(".shp")}
    return [i for i in infos if _sidecar_stem(i.filename) not in shapefiles]


def _sidecar_stem(name: str) -> str | None:
    lowered = name.lower()
    for suffix in SHAPEFILE_SIDECARS:
        if lowered.endswith(suffix):
            return lowered[: -len(suffix)]
    return None


def filegdb_folder(name: str) -> str | None:
    """The ``<name>.gdb`` folder an archive member lies in (an Esri File Geodatabase), if any."""
    parts = name.replace("\\", "/").split("/")[:-1]
    for depth, part in enumerate(parts):
        if part.lower().endswith(".gdb"):
            return "/".join(parts[: depth + 1])
    return None


def is_ignored(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or parts[-1].lower() in IGNORED_NAMES


# --- ZIP ------------------------------------------------------------------------------------


def zip_inspect(path: Path, budgets: Budgets, *, one_format: bool = True) -> list[Planned]:
    """Check the central directory and every member's head; return the extraction plan.

    ``one_format``: the archive must hold files of one format (every kind but ``file``, whose
    data sources hold photos beside reports). Raises ``Rejected`` naming every offending member.
    """
    _check_declared_count(path, budgets)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise Rejected(
            f"The ZIP archive is damaged or truncated ({_reason(exc)}).", code="archive_corrupt"
        ) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > budgets.max_members:
            raise _too_many(len(infos), budgets)
        offences = _overlaps(path, infos, archive.start_dir)
        kept = [i for i in infos if not i.is_dir() and not is_ignored(i.filename)]
        kept = _without_sidecars(kept)
        for info in infos:
            offences.extend(_entry_offences(info, budgets))
        offences.extend(_duplicate_offences(kept))
        _raise_if(offences)
        _check_total(kept, budgets)
        if not kept:
            raise Rejected("The archive holds no files.", code="archive_empty")
        planned = _pam_georeferenced([_sniff_member(archive, info) for info in kept])
    _raise_if([o for p in planned for o in _member_offences(p, budgets)])
    _raise_if((one_format and mixed_format_offences(planned)) or shapefile_offences(planned))
    return _assign_targets(planned)


def zip_extract(path: Path, plan: list[Planned], dest: Path, budgets: Budgets) -> list[Member]:
    """Stream every planned member to ``dest/<target>``, each capped at its declared size."""
    members, total = [], 0
    with zipfile.ZipFile(path) as archive:
        for item in plan:
            cap = min(item.declared_size, budgets.member_cap(item.format))
            try:
                with archive.open(item.info or item.name) as source:
                    size = _copy_capped(source, dest / item.target, cap, item.name)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise Rejected.of(
                    [Offence(item.name, f"cannot be read ({_reason(exc)})", "archive_corrupt")]
                ) from exc
            total += size
            if total > budgets.max_total_size:
                raise _total_too_large(budgets)
            members.append(Member(dest / item.target, item.name, item.format, size))
    return members


def zip_unsafe_offences(path: Path, archive: zipfile.ZipFile) -> list[Offence]:
    """The checks of ``zip_inspect`` that need no budgets or formats: overlapping entries,
    unsafe names (absolute, ``..``, drive letters, backslashes, control characters), symbolic
    links and special files, encryption. For other readers of ZIPs (``sluis.transfer``)."""
    infos = archive.infolist()
    offences = _overlaps(path, infos, archive.start_dir)
    for info in infos:
        problem = _name_problem(info.filename) or _mode_problem(info)
        if problem:
            offences.append(Offence(info.filename, problem, "archive_unsafe"))
        if info.flag_bits & 0x41:
            offences.append(Offence(info.filename, "is encrypted", "archive_encrypted"))
    return offences


def _check_declared_count(path: Path, budgets: Budgets) -> None:
    """Refuse on the end record's count, then on the entries counted in the directory, before
    ``ZipFile`` builds one object per entry (``sluis.formats.zipdir``)."""
    scan = directory_scan(path, limit=budgets.max_members + 1)
    if scan.problem:
        raise Rejected(f"The ZIP archive is damaged: {scan.problem}.", code="archive_corrupt")
    if scan.declared > budgets.max_members:
        raise _too_many(scan.declared, budgets)
    if scan.counted > budgets.max_members:
        raise _too_many_found(budgets)


def _too_many_found(budgets: Budgets) -> Rejected:
    return Rejected(
        f"The archive's central directory holds more than {budgets.max_members} entries; "
        f"at most {budgets.max_members} are accepted.",
        code="archive_too_many_members",
    )


def _reason(exc: Exception) -> str:
    """What a supplier may read of a read error: zipfile's and zlib's own words (they name
    members, never paths), else a fixed phrase."""
    if isinstance(exc, zipfile.BadZipFile | zlib.error | NotImplementedError):
        return str(exc)
    return "it ends early or cannot be read"


def _too_many(count: int, budgets: Budgets) -> Rejected:
    return Rejected(
        f"The archive declares {count} entries; at most {budgets.max_members} are accepted.",
        code="archive_too_many_members",
    )


def _total_too_large(budgets: Budgets) -> Rejected:
    return Rejected(
        f"The archive unpacks to more than {budgets.max_total_size} bytes in total.",
        code="archive_too_large",
    )


def _check_total(kept: list[zipfile.ZipInfo], budgets: Budgets) -> None:
    if sum(i.file_size for i in kept) > budgets.max_total_size:
        raise _total_too_large(budgets)


def _raise_if(offences: list[Offence]) -> None:
    if offences:
        raise Rejected.of(offences)


def _overlaps(path: Path, infos: list[zipfile.ZipInfo], directory: int) -> list[Offence]:
    """Entries whose data overlap another entry or the central directory (zip-bomb trick)."""
    offences, previous_end, previous = [], 0, ""
    with path.open("rb") as handle:
        for info in sorted(infos, key=lambda i: i.header_offset):
            handle.seek(info.header_offset)
            header = handle.read(30)
            if len(header) < 30 or header[:4] != b"PK\x03\x04":
                offences.append(
                    Offence(info.filename, "has no valid local header", "archive_corrupt")
                )
                continue
            start = info.header_offset + 30 + int.from_bytes(header[26:28], "little")
            start += int.from_bytes(header[28:30], "little")
            if info.header_offset < previous_end:
                offences.append(Offence(info.filename, f"overlaps {previous}", "archive_unsafe"))
            previous_end, previous = start + info.compress_size, info.filename
            if previous_end > directory:
                offences.append(
                    Offence(info.filename, "overlaps the central directory", "archive_unsafe")
                )
    return offences


def _duplicate_offences(infos: list[zipfile.ZipInfo]) -> list[Offence]:
    """Two members of one name (letter case aside) would unpack onto one another."""
    seen: set[str] = set()
    offences = []
    for info in infos:
        key = info.filename.casefold()
        if key in seen:
            offences.append(
                Offence(info.filename, "appears more than once in the archive", "archive_duplicate")
            )
        seen.add(key)
    return offences


def _entry_offences(info: zipfile.ZipInfo, budgets: Budgets) -> Iterable[Offence]:
    name = info.filename
    problem = _name_problem(name) or _mode_problem(info)
    if problem:
        yield Offence(name, problem, "archive_unsafe")
    if info.flag_bits & 0x41:
        yield Offence(name, "is encrypted", "archive_encrypted")
    if info.compress_type not in ALLOWED_COMPRESSION:
        yield Offence(
            name,
            f"uses unsupported compression method {info.compress_type}",
            "archive_unsupported_compression",
        )
    if info.file_size > budgets.max_member_size:
        yield Offence(
            name,
            f"declares {info.file_size} bytes; at most {budgets.max_member_size} are accepted",
            "archive_too_large",
        )
    if info.file_size > budgets.ratio_min_size:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > budgets.max_ratio:
            yield Offence(
                name,
                f"compression ratio {ratio:.0f}:1 exceeds {budgets.max_ratio}:1",
                "archive_too_large",
            )


def _name_problem(name: str) -> str | None:
    if "\\" in name:
        return "has a backslash in its name"
    if name.startswith("/"):
        return "has an absolute path"
    if _DRIVE.match(name):
        return "has a drive letter"
    if ".." in name.split("/"):
        return "has '..' in its path"
    if any(ord(ch) < 32 for ch in name):
        return "has a control character in its name"
    return None


def _mode_problem(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    if not stat.S_IFMT(mode):
        return None  # no file type recorded (most zip writers): a regular file
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "is a special file (device, FIFO or socket)"
    return None


def _sniff_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Planned:
    """Decompress at most the first 64 KiB of a member to sniff its format. Every file of a
    ``.gdb`` folder is part of an Esri File Geodatabase (its tables are not told apart)."""
    if filegdb_folder(info.filename):
        return Planned(info.filename, "filegdb", info.file_size, "", info)
    try:
        with archive.open(info) as source:
            head = source.read(HEAD_SIZE)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
        return Planned(info.filename, f"unreadable:{_reason(exc)}", info.file_size, "", info)
    fmt = sniff(head, info.filename)
    if fmt == "zip":
        fmt = zip_head_document_format(head)
    return Planned(info.filename, fmt, info.file_size, "", info)


def _member_offences(item: Planned, budgets: Budgets) -> Iterable[Offence]:
    if item.format.startswith("unreadable:"):
        yield Offence(item.name, f"cannot be read ({item.format[11:]})", "archive_corrupt")
        return
    if item.format in ARCHIVES:
        yield Offence(
            item.name, f"is a nested {describe(item.format)}; not expanded", "archive_nested"
        )
        return
    conflict = name_conflict(item.name, item.format)
    if conflict:
        yield Offence(item.name, conflict, "format_mismatch")
    if item.format in JSON_FORMATS and item.declared_size > budgets.max_json_size:
        yield Offence(
            item.name,
            f"is a JSON file of {item.declared_size} bytes; at most {budgets.max_json_size}",
            "json_too_large",
        )


PAM_RASTERS = ("geotiff", "tiff", "erdas-img", "ascii-grid")
PAM_SUFFIX = ".aux.xml"


def _pam_georeferenced(planned: list[Planned]) -> list[Planned]:
    """A TIFF whose ``.aux.xml`` came with it is a GeoTIFF: the sidecar may hold its
    georeferencing (ArcGIS and GDAL write it there for TIFFs without GeoTIFF tags)."""
    sidecars = {p.name[: -len(PAM_SUFFIX)].lower() for p in planned if p.format == "pam-aux"}
    return [
        Planned(p.name, "geotiff", p.declared_size, p.target, p.info)
        if p.format == "tiff" and p.name.lower() in sidecars
        else p
        for p in planned
    ]


def family(fmt: str, formats: set[str]) -> str:
    """Formats that travel together count as one: a shapefile's parts, a grid and its .prj."""
    if fmt in SHAPEFILE_PARTS - {"prj"}:
        return "shapefile"
    if fmt == "prj" and formats & {"shp", "shx", "dbf"}:
        return "shapefile"
    if fmt == "prj" and "ascii-grid" in formats:
        return "ascii-grid"
    if fmt == "pam-aux":  # a raster's .aux.xml (georeferencing, metadata) travels with it
        return next((f for f in PAM_RASTERS if f in formats), fmt)
    return fmt


def mixed_format_offences(planned: list[Planned]) -> list[Offence]:
    """An archive holds one format: name every member outside the most common one."""
    formats = {p.format for p in planned}
    families = [family(p.format, formats) for p in planned]
    counts = Counter(families)
    if len(counts) < 2:
        return []
    main = counts.most_common(1)[0][0]
    return [
        Offence(
            p.name,
            f"is a {describe(p.format)}, the archive holds {main} files",
            "archive_mixed_formats",
        )
        for p, fam in zip(planned, families, strict=True)
        if fam != main
    ]


def shapefile_offences(planned: list[Planned]) -> list[Offence]:
    """Every shapefile needs its .shp, .shx and .dbf beside each other (same stem)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for item in planned:
        if item.format in {"shp", "shx", "dbf"}:
            groups[_stem(item.name)].add(item.format)
    offences = []
    for stem, parts in sorted(groups.items()):
        missing = sorted({"shp", "shx", "dbf"} - parts)
        if missing:
            names = ", ".join(f"{stem}.{part}" for part in missing)
            offences.append(
                Offence(
                    f"{stem}.shp", f"shapefile incomplete: missing {names}", "shapefile_incomplete"
                )
            )
    return offences


def _stem(name: str) -> str:
    path = PurePosixPath(name)
    return str(path.with_suffix("")).lower() if path.suffix else name.lower()


def _assign_targets(planned: list[Planned]) -> list[Planned]:
    """Generated names: members sharing an original stem share a generated stem (shapefile
    parts, a grid and its .prj); the extension is the member's own, lowercased, when it fits
    the content, else the format's canonical one."""
    stems: dict[str, str] = {}
    result, targets = [], set()
    for item in planned:
        base = item.name[: -len(PAM_SUFFIX)] if item.format == "pam-aux" else item.name
        stem = stems.setdefault(_stem(base), f"m{len(stems) + 1:05d}")
        if stem + _ext(item) in targets:  # two names mapping to one target: a stem of its own
            stem = stems.setdefault(f"\0{len(stems)}", f"m{len(stems) + 1:05d}")
        targets.add(stem + _ext(item))
        result.append(
            Planned(item.name, item.format, item.declared_size, stem + _ext(item), item.info)
        )
    return result


def _ext(item: Planned) -> str:
    if item.format == "pam-aux":  # beside its raster's generated name, as GDAL looks for it
        base = item.name[: -len(PAM_SUFFIX)]
        raster = extension(base)
        return (raster if _SAFE_EXTENSION.match(raster) else ".tif") + PAM_SUFFIX
    ext = extension(item.name)
    if item.format == "filegdb":  # a00000004.gdbtable, a00000004.gdbtablx, ...: kept apart
        suffix = PurePosixPath(item.name).name.lower().partition(".")[2]
        return "." + (suffix if re.fullmatch(r"[a-z0-9_.]{1,24}", suffix) else "gdbfile")
    if _SAFE_EXTENSION.match(ext) and item.format in (formats_for_extension(ext) or set()):
        return ext
    return format_get(item.format).extracted_extension


def _copy_capped(source: IO[bytes] | BufferedIOBase, target: Path, cap: int, name: str) -> int:
    written = 0
    with target.open("xb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > cap:
                raise Rejected.of(
                    [Offence(name, f"unpacks to more than {cap} bytes", "archive_too_large")]
                )
            out.write(chunk)
    return written


# --- gzip -----------------------------------------------------------------------------------


def gzip_inner_name(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".tgz"):
        return name[:-4] + ".tar"
    return name[:-3] if lowered.endswith(".gz") else name


def gzip_inspect(path: Path, name: str, budgets: Budgets) -> Planned:
    """Sniff the single file inside a ``.gz`` from its first 64 KiB; refuse one whose trailer
    declares a size over the ratio budget (``gzip_extract`` enforces it on the real bytes)."""
    inner = gzip_inner_name(name)
    try:
        with gzip.open(path, "rb") as source:
            head = source.read(HEAD_SIZE)
    except (gzip.BadGzipFile, zlib.error, EOFError, OSError) as exc:
        raise _gzip_corrupt(exc) from exc
    fmt = sniff(head, inner)
    if fmt == "zip":
        fmt = zip_head_document_format(head)
    item = Planned(inner, fmt, 0, "", None)
    offences = list(_member_offences(item, budgets))
    _raise_if(offences)
    if _gzip_declared_size(path) > gzip_cap(path, fmt, budgets):
        raise _gzip_ratio(budgets)
    return Planned(inner, fmt, 0, "m00001" + _ext(item), None)


def gzip_cap(path: Path, fmt: str, budgets: Budgets) -> int:
    """The most a ``.gz`` may unpack to: the member cap, and ``max_ratio`` times its size once
    it unpacks to more than ``ratio_min_size``."""
    by_ratio = max(path.stat().st_size * budgets.max_ratio, budgets.ratio_min_size)
    return min(budgets.member_cap(fmt), by_ratio)


def gzip_extract(path: Path, item: Planned, dest: Path, budgets: Budgets) -> Member:
    """Stream the inner file to ``dest/<target>``, refused past ``gzip_cap``."""
    cap = gzip_cap(path, item.format, budgets)
    try:
        with gzip.open(path, "rb") as source:
            size = _copy_capped(source, dest / item.target, cap, item.name)
    except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
        raise _gzip_corrupt(exc) from exc
    except Rejected as exc:
        if cap < budgets.member_cap(item.format):
            raise _gzip_ratio(budgets) from exc
        raise
    return Member(dest / item.target, item.name, item.format, size)


def _gzip_declared_size(path: Path) -> int:
    """The size the gzip trailer declares (modulo 4 GiB, so a lower bound only)."""
    with path.open("rb") as handle:
        handle.seek(max(path.stat().st_size - 4, 0))
        return int.from_bytes(handle.read(4), "little")


def _gzip_corrupt(exc: Exception) -> Rejected:
    reason = str(exc) if isinstance(exc, gzip.BadGzipFile | zlib.error) else "it ends early"
    return Rejected(f"The gzip file is damaged or truncated ({reason}).", code="archive_corrupt")


def _gzip_ratio(budgets: Budgets) -> Rejected:
    return Rejected(
        f"The gzip file unpacks to more than {budgets.max_ratio} times its size "
        f"(compression ratio over {budgets.max_ratio}:1).",
        code="archive_too_large",
    )
