"""The seams between the processing engine and the four kinds of data.

The engine (``sluis.ingest.pipeline``) claims an upload, unpacks it, sniffs every member's format
and hands the members to the ``KindProcessor`` registered for the data source's kind. A processor
reads and validates everything first (collecting every problem in ``job.report``), then writes in
one short transaction, and returns ``Counts``. Adding a kind or a format never touches the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sluis.errors import SluisError

MAX_REPORTED_ERRORS = 100

# Canonical format names. The sniffer (sluis.ingest.sniffing) names every member with one of
# these, from its content; each kind's processor lists the ones it reads in ``formats``.
# Shapefile parts are sniffed as "shp", "shx", "dbf", "prj", "cpg" and extracted with a shared
# generated stem; "prj" is also the optional sidecar of an ASCII grid.
FORMATS = {
    "timeseries": {"csv", "json", "pi-xml"},
    "vector": {"geojson", "shp", "shx", "dbf", "prj", "cpg", "gpkg", "flatgeobuf", "kml", "csv"},
    "raster": {"geotiff", "netcdf", "ascii-grid", "prj"},
    "file": {
        "jpeg",
        "png",
        "tiff",
        "geotiff",
        "webp",
        "gif",
        "pdf",
        "docx",
        "xlsx",
        "pptx",
        "odt",
        "ods",
        "txt",
        "csv",
        "json",
        "mp4",
        "mov",
        "avi",
        "mkv",
        "webm",
    },
}


@dataclass(frozen=True)
class Member:
    """One file to process: the upload itself, or one extracted archive member.

    ``path`` is a generated local path; ``name`` the original (unsanitised) name, used for
    filename patterns; ``format`` the sniffed format name (see ``sluis.ingest.sniffing``).
    """

    path: Path
    name: str
    format: str
    size: int


@dataclass
class Problem:
    """One thing wrong in the input, located as precisely as the format allows."""

    message: str
    file: str = ""
    line: int | None = None
    feature: str | None = None
    field: str = ""
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass
class Report:
    """Problems and warnings collected while reading. Readers never stop at the first one."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejected: int = 0

    def add(self, message: str, **where: Any) -> None:
        self.problems.append(Problem(message=message, **where))

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0


@dataclass
class IngestJob:
    """Everything a processor needs; it never looks the upload up itself."""

    upload_id: int
    data_source: Any  # sluis.catalog.models.DataSource
    settings: dict[str, Any]
    members: list[Member]
    received_at: datetime
    report: Report = field(default_factory=Report)

    @property
    def skip_invalid_rows(self) -> bool:
        return self.settings.get("on_error", "reject_file") == "skip_invalid_rows"

    def check_problems(self) -> None:
        """Between reading and writing: with ``reject_file`` any problem fails the upload."""
        if self.report.has_problems and not self.skip_invalid_rows:
            count = len(self.report.problems)
            raise IngestFailed(
                f"{count} problem(s) found; nothing was written (on_error=reject_file).",
                problems=count,
            )


class IngestFailed(SluisError):
    """Processing cannot succeed; the upload fails with this reason and the data is untouched."""

    code = "ingest_failed"
    default_detail = "The upload could not be processed."


class KindProcessor(Protocol):
    """Reads and writes one kind of data (timeseries, raster, file, vector)."""

    kind: str
    formats: frozenset[str]

    def process(self, job: IngestJob) -> Counts: ...


_PROCESSORS: dict[str, KindProcessor] = {}


def register_processor(processor: KindProcessor) -> KindProcessor:
    _PROCESSORS[processor.kind] = processor
    return processor


def processor_for(kind: str) -> KindProcessor | None:
    return _PROCESSORS.get(kind)


def registered_processors() -> dict[str, KindProcessor]:
    return dict(_PROCESSORS)
