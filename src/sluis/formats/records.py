"""The plain records passed between sniffing, the readers and a kind's processor. No Django.

A ``Member`` is one file to process (the upload itself or one extracted archive member) named
with its sniffed format; readers put every ``Problem`` they find in a ``Report`` and never stop at
the first one; a processor returns ``Counts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_REPORTED_ERRORS = 100


@dataclass(frozen=True)
class Member:
    """One file to process: the upload itself, or one extracted archive member.

    ``path`` is a generated local path; ``name`` the original (unsanitised) name, used for
    filename patterns; ``format`` the sniffed format name (see ``sluis.formats.registry``).
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
    """What a processor changed in the stored data (recorded on the upload)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
