"""Records of an export's JSON Lines members, read with typed, located errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, TypeVar, overload

from sluis.catalog.services import CreatedSource
from sluis.transfer.archive import ArchiveReader
from sluis.transfer.errors import ImportArchiveInvalid

Create = Callable[[], CreatedSource]  # creates the data source inside the import transaction
LINE_MAX = 64 * 1024 * 1024
T = TypeVar("T")


def records(archive: ArchiveReader, path: str, parse: Callable[[Fields], T]) -> list[T]:
    """Every line of a JSON Lines member, parsed by ``parse``; a line that does not parse is
    reported as such only once the member's checksum matched (else as the alteration it is)."""
    parsed = []
    with archive.open(path) as member:
        number = 0
        while line := member.readline(LINE_MAX):
            number += 1
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise invalid(path, number, f"not JSON ({exc})") from exc
            if not isinstance(record, dict):
                raise invalid(path, number, "not a JSON object")
            parsed.append(parse(Fields(path, number, record)))
    return parsed


def invalid(path: str, line: int | None, problem: str) -> ImportArchiveInvalid:
    where = f"{path} line {line}" if line else path
    return ImportArchiveInvalid(f"{where}: {problem}.")


def counts_check(archive: ArchiveReader, counts: dict[str, int]) -> dict[str, int]:
    """The counts found equal the manifest's (checked before the import commits)."""
    declared = archive.manifest.get("counts")
    if declared != counts:
        raise ImportArchiveInvalid(f"The archive holds {counts}; manifest.json says {declared}.")
    return counts


class Fields:
    """Typed access to one record's fields; a wrong type names the member, line and field."""

    def __init__(self, path: str, line: int, record: dict[str, Any]):
        self.path, self.line, self.record = path, line, record

    def get(self, name: str, kinds: type | tuple[type, ...], *, optional: bool = False) -> Any:
        value = self.record.get(name)
        if value is None and optional:
            return None
        if (isinstance(value, bool) and bool not in _tuple(kinds)) or not isinstance(value, kinds):
            raise invalid(self.path, self.line, f"field {name!r} is missing or of the wrong type")
        return value

    @overload
    def text(self, name: str, max_length: int, *, optional: Literal[False] = False) -> str: ...

    @overload
    def text(self, name: str, max_length: int, *, optional: bool) -> str | None: ...

    def text(self, name: str, max_length: int, *, optional: bool = False) -> str | None:
        """A string field that fits its database column (``max_length`` characters)."""
        value = self.get(name, str, optional=optional)
        if value is not None and len(value) > max_length:
            raise self.problem(f"{name} is longer than {max_length} characters")
        return value

    def number(self, name: str, *, optional: bool = False) -> float | None:
        value = self.get(name, (int, float), optional=optional)
        return None if value is None else float(value)

    def time(self, name: str) -> datetime:
        text = self.get(name, str)
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            raise invalid(self.path, self.line, f"{name} {text!r} is not ISO 8601") from exc
        if value.tzinfo is None:
            raise invalid(self.path, self.line, f"{name} {text!r} has no time zone")
        return value

    def problem(self, text: str) -> ImportArchiveInvalid:
        return invalid(self.path, self.line, text)


def _tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)
