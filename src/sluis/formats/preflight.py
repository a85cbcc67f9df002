"""Checks made on a received file before 201 is answered, and again by the pipeline. No Django.

``file_inspect`` is called with the received bytes on local disk, the archive ``Budgets`` and
the formats the data source's kind reads (``sluis.uploads.inspection`` binds those from the
settings and the kind registry). Its ``Inspection.detected`` is the detected format name
(``csv``, ``geotiff``, ``zip:shp``, ``gzip:json``, ...); it raises ``Rejected`` (a 400
``SluisError`` with a stable code and a ``members`` list) naming every offending archive member,
a name that contradicts the content, an unsupported format, or a format that does not fit the
data source's kind. Only the central directory and the first 64 KiB of each member are read:
nothing is extracted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sluis.formats.archives import (
    JSON_FORMATS,
    Budgets,
    Planned,
    family,
    gzip_inspect,
    zip_inspect,
)
from sluis.formats.errors import Offence, Rejected
from sluis.formats.registry import describe, format_get, readable_formats
from sluis.formats.sniffing import ARCHIVES, extension, name_conflict, sniff_path


@dataclass(frozen=True)
class Inspection:
    """What the pre-flight found: the container (``zip``, ``gzip`` or none) and its plan."""

    container: str
    format: str
    plan: list[Planned]

    @property
    def detected(self) -> str:
        return f"{self.container}:{self.format}" if self.container else self.format


def file_inspect(
    *,
    path: Path,
    filename: str,
    kind: str,
    accepted: frozenset[str],
    limits: Budgets,
    one_format: bool = True,
) -> Inspection:
    """Sniff and check one received file for a data source of ``kind``, which reads the
    formats ``accepted`` (and, with ``one_format``, only archives of one format family);
    raises ``Rejected`` naming every offending file (see module doc)."""
    fmt = sniff_path(path, filename)
    conflict = name_conflict(filename, fmt)
    if conflict:
        raise Rejected(
            f"{filename}: {conflict}.",
            code="format_mismatch",
            offences=[Offence(filename, conflict, "format_mismatch")],
        )
    if fmt == "zip":
        plan = zip_inspect(path, limits, one_format=one_format)
        return Inspection("zip", _check_kind(plan, kind, accepted, "The archive"), plan)
    if fmt == "gzip":
        plan = [gzip_inspect(path, filename, limits)]
        return Inspection("gzip", _check_kind(plan, kind, accepted, "The gzip file"), plan)
    return Inspection("", _check_single(path, filename, fmt, (kind, accepted), limits), [])


def single_target(fmt: str, filename: str) -> str:
    """The generated local name of a plain (not archived) upload, keeping a fitting extension."""
    ext = extension(filename)
    if ext and ext.isascii() and ext[1:].isalnum() and len(ext) <= 9:
        return "upload" + ext
    return "upload" + format_get(fmt).extracted_extension


def _check_single(
    path: Path, filename: str, fmt: str, kind: tuple[str, frozenset[str]], limits: Budgets
) -> str:
    if fmt in ARCHIVES:
        raise Rejected(
            f"{filename}: a {describe(fmt)} is not accepted; send a .zip or a .gz of one file.",
            code="unsupported_archive",
        )
    _check_kind([Planned(filename, fmt, 0, "")], *kind, "The file")
    size = path.stat().st_size
    if fmt in JSON_FORMATS and size > limits.max_json_size:
        raise Rejected(
            f"{filename}: a JSON file of {size} bytes; at most {limits.max_json_size} "
            "are accepted.",
            code="json_too_large",
        )
    return fmt


def _check_kind(plan: list[Planned], kind: str, accepted: frozenset[str], what: str) -> str:
    """Every file's format must be one the data source's kind reads; returns the main format."""
    offences = [_not_accepted(item, kind, accepted) for item in plan if item.format not in accepted]
    if offences:
        raise Rejected.of(offences, what=what)
    formats = {item.format for item in plan}
    families = [family(item.format, formats) for item in plan]
    main = max(set(families), key=families.count)
    return next(i.format for i, f in zip(plan, families, strict=True) if f == main)


def _not_accepted(item: Planned, kind: str, accepted: frozenset[str]) -> Offence:
    if item.format not in readable_formats() | accepted:
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
