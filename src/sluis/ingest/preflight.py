"""Checks made on a received file before 201 is answered, and again by the pipeline.

``upload_preflight`` is called by the upload service with the received bytes on local disk. It
returns the detected format name (``csv``, ``geotiff``, ``zip:shp``, ``gzip:json``, ...) and
raises ``Rejected`` (a 400 ``SluisError`` with a stable code and a ``members`` list) naming every
offending archive member, a name that contradicts the content, an unsupported format, or a format
that does not fit the data source's kind. Only the central directory and the first 64 KiB of each
member are read: nothing is extracted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from sluis.ingest.archives import (
    Budgets,
    Planned,
    family,
    gzip_inspect,
    zip_inspect,
)
from sluis.ingest.contracts import FORMATS, processor_for
from sluis.ingest.errors import Offence, Rejected
from sluis.ingest.sniffing import (
    ARCHIVES,
    CANONICAL_EXTENSION,
    describe,
    extension,
    name_conflict,
    sniff_path,
)


@dataclass(frozen=True)
class Inspection:
    """What the pre-flight found: the container (``zip``, ``gzip`` or none) and its plan."""

    container: str
    format: str
    plan: list[Planned]

    @property
    def detected(self) -> str:
        return f"{self.container}:{self.format}" if self.container else self.format


def budgets() -> Budgets:
    return Budgets(
        max_members=settings.SLUIS_ARCHIVE_MAX_MEMBERS,
        max_member_size=settings.SLUIS_ARCHIVE_MAX_MEMBER_SIZE,
        max_total_size=settings.SLUIS_ARCHIVE_MAX_TOTAL_SIZE,
        max_ratio=settings.SLUIS_ARCHIVE_MAX_RATIO,
        ratio_min_size=settings.SLUIS_ARCHIVE_RATIO_MIN_SIZE,
        max_json_size=settings.SLUIS_MAX_JSON_SIZE,
    )


def accepted_formats(kind: str) -> set[str]:
    """The formats the kind's registered processor reads (``contracts.FORMATS`` before one is)."""
    processor = processor_for(kind)
    return set(processor.formats) if processor else set(FORMATS.get(kind, set()))


def upload_preflight(*, path: Path, filename: str, data_source) -> str:
    """Check a received file against the budgets and its data source's kind; see module doc."""
    return upload_inspect(path=Path(path), filename=filename, kind=data_source.kind).detected


def upload_inspect(*, path: Path, filename: str, kind: str) -> Inspection:
    fmt = sniff_path(path, filename)
    conflict = name_conflict(filename, fmt)
    if conflict:
        raise Rejected(
            f"{filename}: {conflict}.",
            code="format_mismatch",
            offences=[Offence(filename, conflict, "format_mismatch")],
        )
    limits = budgets()
    if fmt == "zip":
        plan = zip_inspect(path, limits, one_format=kind != "file")
        return Inspection("zip", _check_kind(plan, kind, "The archive"), plan)
    if fmt == "gzip":
        plan = [gzip_inspect(path, filename, limits)]
        return Inspection("gzip", _check_kind(plan, kind, "The gzip file"), plan)
    return Inspection("", _check_single(path, filename, fmt, kind, limits), [])


def single_target(fmt: str, filename: str) -> str:
    """The generated local name of a plain (not archived) upload, keeping a fitting extension."""
    ext = extension(filename)
    if ext and ext.isascii() and ext[1:].isalnum() and len(ext) <= 9:
        return "upload" + ext
    return "upload" + CANONICAL_EXTENSION.get(fmt, "." + fmt.replace("-", ""))


def _check_single(path: Path, filename: str, fmt: str, kind: str, limits: Budgets) -> str:
    if fmt in ARCHIVES:
        raise Rejected(
            f"{filename}: a {describe(fmt)} is not accepted; send a .zip or a .gz of one file.",
            code="unsupported_archive",
        )
    _check_kind([Planned(filename, fmt, 0, "")], kind, "The file")
    size = path.stat().st_size
    if fmt in {"json", "geojson"} and size > limits.max_json_size:
        raise Rejected(
            f"{filename}: a JSON file of {size} bytes; at most {limits.max_json_size} "
            "are accepted.",
            code="json_too_large",
        )
    return fmt


def _check_kind(plan: list[Planned], kind: str, what: str) -> str:
    """Every file's format must be one the data source's kind reads; returns the main format."""
    accepted = accepted_formats(kind)
    offences = [_not_accepted(item, kind, accepted) for item in plan if item.format not in accepted]
    if offences:
        raise Rejected.of(offences, what=what)
    formats = {item.format for item in plan}
    families = [family(item.format, formats) for item in plan]
    main = max(set(families), key=families.count)
    return next(i.format for i, f in zip(plan, families, strict=True) if f == main)


def _not_accepted(item: Planned, kind: str, accepted: set[str]) -> Offence:
    if not any(item.format in formats for formats in FORMATS.values()):
        return Offence(
            item.name,
            f"is a {describe(item.format)}, which Sluis does not read",
            "unsupported_format",
        )
    names = ", ".join(sorted(accepted))
    return Offence(
        item.name,
        f"is a {describe(item.format)}, which a {kind} data source does not read ({names})",
        "format_not_allowed",
    )
