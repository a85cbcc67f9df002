"""The plain records passed between sniffing, the readers and a kind's processor. No Django.

A ``Member`` is one file to process (the upload itself or one extracted archive member) named
with its sniffed format; readers put every ``Problem`` they find in a ``Report`` and never stop at
the first one; a processor returns ``Counts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Every problem is counted. What is kept of them is capped, generously, so that a file with a
# million bad rows cannot fill the database or the storage (docs/processing.md#problems):
MAX_REPORTED_ERRORS = 1_000  # kept on the upload row (``Upload.errors``) and its warnings
MAX_REPORT_ROWS = 100_000  # rows of the CSV error report; past it problems are only counted


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
    unlisted: int = 0  # problems counted past ``MAX_REPORT_ROWS``, not kept one by one

    def add(self, message: str, **where: Any) -> None:
        """Keep the problem while the report has room (``MAX_REPORT_ROWS``); always count it."""
        if len(self.problems) < MAX_REPORT_ROWS:
            self.problems.append(Problem(message=message, **where))
        else:
            self.unlisted += 1

    def count_unlisted(self, count: int) -> None:
        """Count ``count`` problems that a reader did not even build (past the report's room)."""
        self.unlisted += count

    @property
    def room(self) -> int:
        """How many more problems the report keeps one by one."""
        return max(MAX_REPORT_ROWS - len(self.problems), 0)

    @property
    def problem_count(self) -> int:
        """Every problem found, kept or only counted."""
        return len(self.problems) + self.unlisted

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    @property
    def has_problems(self) -> bool:
        return self.problem_count > 0


@dataclass
class Counts:
    """What a processor changed in the stored data (recorded on the upload)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
