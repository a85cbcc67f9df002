"""The pre-flight of a received file, bound to this installation: the archive budgets from the
settings and the formats the data source's kind reads from the kind registry.

Both the upload service (before 201) and the processing pipeline (again, before unpacking) call
``upload_inspect``; the checks themselves are Django-free (``sluis.formats.preflight``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from sluis.formats.archives import Budgets
from sluis.formats.preflight import Inspection, file_inspect
from sluis.kinds import kind_find


def archive_budgets() -> Budgets:
    """The archive limits of the settings (``SLUIS_ARCHIVE_*``, ``SLUIS_MAX_JSON_SIZE``)."""
    return Budgets(
        max_members=settings.SLUIS_ARCHIVE_MAX_MEMBERS,
        max_member_size=settings.SLUIS_ARCHIVE_MAX_MEMBER_SIZE,
        max_total_size=settings.SLUIS_ARCHIVE_MAX_TOTAL_SIZE,
        max_ratio=settings.SLUIS_ARCHIVE_MAX_RATIO,
        ratio_min_size=settings.SLUIS_ARCHIVE_RATIO_MIN_SIZE,
        max_json_size=settings.SLUIS_MAX_JSON_SIZE,
    )


def upload_inspect(*, path: Path, filename: str, kind: str) -> Inspection:
    """Sniff and check a received file for a data source of ``kind``; raises ``Rejected``."""
    declared = kind_find(kind)
    return file_inspect(
        path=Path(path),
        filename=filename,
        kind=kind,
        accepted=declared.formats if declared else frozenset(),
        limits=archive_budgets(),
        one_format=not (declared and declared.mixed_archives),
    )


def upload_preflight(*, path: Path, filename: str, data_source) -> str:
    """The detected format (``csv``, ``zip:shp``, ...) of a file received for ``data_source``."""
    return upload_inspect(path=path, filename=filename, kind=data_source.kind).detected
