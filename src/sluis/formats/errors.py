"""Every typed error of reading and processing an upload, in one place. No Django.

Each has a stable ``code`` (the ``code`` of the API's error JSON, of the upload's failure log
line, and of each offending archive member). The hierarchy::

    SluisError                          (sluis.errors: the root of all typed errors)
    └── IngestFailed                    ingest_failed: the upload fails with this reason and
        │                               the stored data is untouched
        ├── Rejected                    upload_rejected, or the offences' own code
        │                               (format_mismatch, format_not_allowed,
        │                               unsupported_format, unsupported_archive,
        │                               json_too_large, unsafe_path, too_many_members, ...):
        │                               the file or some archive members cannot be accepted;
        │                               answered 400 before 201 by the pre-flight, or the
        │                               upload fails with it in the pipeline
        ├── TooManySeries               too_many_series: a timeseries upload over the series budget
        ├── UnreadableFile              unreadable_file: GDAL cannot read the file in its format
        ├── VectorInputError            invalid_vector: the vector upload cannot be read whole
        └── NoFeatures                  no_features: a vector upload without features (the
                                        current data is kept)

A reader's problems with single rows or features are not exceptions: they are ``Problem``
records in the ``Report`` (``sluis.formats.records``), collected all before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sluis.errors import SluisError
from sluis.formats.records import Problem


class IngestFailed(SluisError):
    """Processing cannot succeed; the upload fails with this reason and the data is untouched."""

    code = "ingest_failed"
    default_detail = "The upload could not be processed."


@dataclass(frozen=True)
class Offence:
    """One offending file (an archive member, or the upload itself) and what is wrong with it."""

    name: str
    problem: str
    code: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "problem": self.problem, "code": self.code}


class Rejected(IngestFailed):
    """The file (or some of its archive members) cannot be accepted; nothing was extracted.

    Raised by the pre-flight (answered 400 before 201) and by the pipeline (the upload fails with
    the same reason). It names every offending file in ``members``.
    """

    code = "upload_rejected"
    default_detail = "The file was refused."

    def __init__(self, detail: str, *, code: str, offences: list[Offence] | None = None):
        offences = offences or []
        extra: dict[str, Any] = {"members": [o.as_dict() for o in offences]} if offences else {}
        super().__init__(detail, **extra)
        self.code = code
        self.offences = offences

    @classmethod
    def of(cls, offences: list[Offence], *, what: str = "The archive") -> Rejected:
        """One error naming every offence; its code is the offences' code when they agree."""
        codes = {o.code for o in offences}
        code = codes.pop() if len(codes) == 1 else "upload_rejected"
        listed = "; ".join(f"{o.name}: {o.problem}" for o in offences[:10])
        more = f" (and {len(offences) - 10} more)" if len(offences) > 10 else ""
        return cls(f"{what} was refused: {listed}{more}.", code=code, offences=offences)

    def problems(self) -> list[Problem]:
        return [Problem(message=o.problem, file=o.name) for o in self.offences]


class TooManySeries(IngestFailed):
    """An upload holding more distinct timeseries than the budget allows."""

    code = "too_many_series"

    def __init__(self, limit: int):
        super().__init__(
            f"The upload holds more than {limit} distinct series (location and parameter); at "
            f"most {limit} are accepted per upload (SLUIS_TIMESERIES_MAX_SERIES). Split it."
        )


class UnreadableFile(IngestFailed):
    """GDAL cannot open or read the file with the driver of its sniffed format."""

    code = "unreadable_file"
    default_detail = "The file could not be read in its format."


class VectorInputError(IngestFailed):
    """The vector upload cannot be read as a whole (missing CRS, layer choice, parts, ...)."""

    code = "invalid_vector"
    default_detail = "The vector dataset could not be read."


class NoFeatures(IngestFailed):
    """A vector upload without features: it never wipes the stored dataset."""

    code = "no_features"
    default_detail = "The upload holds no features; the current data is kept."
