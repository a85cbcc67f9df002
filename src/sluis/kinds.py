"""The kind registry: each kind of data source, declared once by its ``datastore/<kind>/`` app.

A ``Kind`` bundles everything the rest of Sluis needs to know about one kind of data: its
processor (reads the members with the format readers, then writes; ``KindProcessor``), the
ingest-settings keys it reads (``SettingKey``: type, allowed values, help), its export and
import functions (``sluis source export|import``), the object-storage prefixes its rows refer to
(the storage sweep), its web preview and the check run before an upload is processed again.
Each app registers its kind in ``AppConfig.ready()`` with ``kind_register``; plugin modules
listed in ``SLUIS_EXTRA_PROCESSORS`` may register more (or replace one) afterwards.

Derived from it, never kept by hand: the ``DataSource.kind`` choices (``kind_choices``), the
``--kind`` choices of ``sluis source create``, the per-kind ingest-settings validation, the
formats the pre-flight accepts per kind, the transfer and storage-sweep tables and the web
previews. This module does not import Django; see docs/development.md ("Add a kind").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sluis.formats.errors import IngestFailed
from sluis.formats.records import Counts, Member, Report


@dataclass
class IngestJob:
    """Everything a processor needs; it never looks the upload up itself.

    ``ingest_settings`` are the data source's ingest settings (not Django's settings).
    """

    upload_id: int
    data_source: Any  # sluis.catalog.models.DataSource
    ingest_settings: dict[str, Any]
    members: list[Member]
    received_at: datetime
    report: Report = field(default_factory=Report)

    @property
    def skip_invalid_rows(self) -> bool:
        return self.ingest_settings.get("on_error", "reject_file") == "skip_invalid_rows"

    def check_problems(self) -> None:
        """Between reading and writing: with ``reject_file`` any problem fails the upload."""
        if self.report.has_problems and not self.skip_invalid_rows:
            count = self.report.problem_count
            raise IngestFailed(
                f"{count} problem(s) found; nothing was written (on_error=reject_file).",
                problems=count,
            )


class KindProcessor(Protocol):
    """Reads and writes one kind of data: reads and validates every member first (problems in
    ``job.report``), then writes in one short transaction and returns ``Counts``."""

    @property
    def formats(self) -> frozenset[str]: ...

    def process(self, job: IngestJob) -> Counts: ...


@dataclass(frozen=True)
class SettingKey:
    """One ingest-settings key a kind reads: accepted JSON types, allowed values (empty: any),
    help text, and an optional ``check`` that raises ``ValueError`` with a reason."""

    name: str
    types: tuple[type, ...]
    help: str
    choices: tuple[str, ...] = ()
    check: Callable[[Any], None] | None = None


Exporter = Callable[..., dict[str, int]]  # (*, data_source, writer) -> counts in the manifest
Importer = Callable[..., tuple[Any, dict[str, int]]]  # (*, archive, create, saved)
ReferencedKeys = Callable[[list[str]], set[str]]  # keys of a batch that rows refer to
ReprocessGuard = Callable[..., None]  # (*, upload, root) raises a SluisError to refuse


@dataclass(frozen=True)
class Kind:
    """One kind of data source, as its app declares it (see the module docstring).

    ``archive_folder`` is its folder in an export archive; ``stored_objects`` maps each object
    storage prefix its rows refer to onto the function naming the referenced keys of a batch;
    ``preview`` names the web page's preview (``""``: none); ``mixed_archives`` lets one ZIP
    hold members of several format families (files); ``reprocess_guard`` may refuse to process
    an upload again (a vector replace of older data).
    """

    name: str
    label: str
    processor: KindProcessor
    settings: tuple[SettingKey, ...] = ()
    exporter: Exporter | None = None
    importer: Importer | None = None
    archive_folder: str = ""
    stored_objects: Mapping[str, ReferencedKeys] = field(default_factory=dict)
    preview: str = ""
    mixed_archives: bool = False
    reprocess_guard: ReprocessGuard | None = None

    @property
    def formats(self) -> frozenset[str]:
        """The formats its processor reads (for the built-in kinds: from the format registry)."""
        return frozenset(self.processor.formats)

    def setting(self, name: str) -> SettingKey | None:
        return next((key for key in self.settings if key.name == name), None)


class UnknownKind(LookupError):
    """A kind name no ``Kind`` was registered under."""


_KINDS: dict[str, Kind] = {}


def kind_register(kind: Kind) -> Kind:
    """Register ``kind`` (replacing one of the same name: plugins load after the apps)."""
    _KINDS[kind.name] = kind
    return kind


def kind_get(name: str) -> Kind:
    """The registered kind ``name``; ``UnknownKind`` if there is none."""
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownKind(name) from None


def kind_find(name: str) -> Kind | None:
    """The registered kind ``name``, or ``None``."""
    return _KINDS.get(name)


def kinds_all() -> list[Kind]:
    """Every registered kind, in registration order."""
    return list(_KINDS.values())


def kind_names() -> list[str]:
    return list(_KINDS)


def kind_choices() -> list[tuple[str, str]]:
    """``(name, label)`` of every kind: the ``choices`` of ``DataSource.kind`` (a callable, so
    that registering a kind never needs a migration)."""
    return [(kind.name, kind.label) for kind in _KINDS.values()]


# Ingest-settings keys that several kinds read, with one meaning everywhere.
def _time_zone(value: Any) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Unknown time zone {value!r}.") from exc


ON_ERROR = SettingKey(
    "on_error",
    (str,),
    "'reject_file' (default): any problem fails the upload; 'skip_invalid_rows': store the "
    "valid rest and report the problems",
    choices=("reject_file", "skip_invalid_rows"),
)
TIMEZONE = SettingKey(
    "timezone", (str,), "IANA time zone of naive timestamps (UTC when absent)", check=_time_zone
)
ENCODING = SettingKey(
    "encoding", (str,), "text encoding, e.g. 'utf-8' or 'latin-1' (auto-detected when absent)"
)
DELIMITER = SettingKey(
    "delimiter",
    (str,),
    "CSV delimiter: ',', ';', '|' or a tab (auto-detected when absent)",
    choices=(",", ";", "\t", "|"),
)
DECIMAL = SettingKey("decimal", (str,), "decimal separator: '.' or ','", choices=(".", ","))
SOURCE_CRS = SettingKey("source_crs", (str,), "CRS override, e.g. 'EPSG:28992'")
FILENAME_PATTERN = SettingKey(
    "filename_pattern", (str,), "timestamp in the name, e.g. 'evaporation_{timestamp:%Y-%m-%d}.tif'"
)
PARAMETER = SettingKey("parameter", (str,), "fixed parameter (wide CSV, rasters)")
