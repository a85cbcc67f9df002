"""What the server returns, as small frozen dataclasses.

Each type keeps the server's complete JSON in ``raw``, so fields a newer server adds are never
lost, while the typed attributes cover what a script needs. Parsing is tolerant of missing
optional fields (older servers, the legacy Nexus response) but never invents values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FINISHED_STATUSES = frozenset({"succeeded", "failed"})


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 timestamp (``Z`` or an offset) as an aware datetime; ``None`` if absent."""
    if not value or not isinstance(value, str):
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float | str) and str(value).strip() else 0


@dataclass(frozen=True)
class SyncTask:
    """A sync task as ``GET /sync_tasks/`` lists it; ``id`` is the id to upload to."""

    id: int
    name: str
    owner: str
    task_type: str
    uploadable: bool
    private: bool
    description: str = ""
    data_source_id: int | None = None
    data_source_name: str | None = None
    kind: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SyncTask:
        source = data.get("data_source") if isinstance(data.get("data_source"), dict) else {}
        return cls(
            id=int(data["id"]),
            name=str(data.get("name") or ""),
            owner=str(data.get("owner") or ""),
            task_type=str(data.get("task_type") or ""),
            uploadable=bool(data.get("uploadable")),
            private=bool(data.get("private")),
            description=str(data.get("description") or ""),
            data_source_id=source.get("id") if source else None,
            data_source_name=source.get("name") if source else None,
            kind=source.get("kind") if source else None,
            raw=data,
        )


@dataclass(frozen=True)
class UploadResult:
    """The server's answer to a successful upload (201): the file is stored and queued.

    ``filename`` is the sanitised name, ``original_filename`` the name as sent. ``attempts`` is
    how many requests the client needed (409 and connection-error retries included).
    """

    id: int
    status: str
    filename: str
    uploader: str
    upload_date: datetime | None
    download_link: str
    status_url: str
    original_filename: str = ""
    size: int | None = None
    sha256: str = ""
    download_link_expires: datetime | None = None
    attempts: int = 1
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any], *, attempts: int = 1) -> UploadResult:
        return cls(
            id=int(data["id"]),
            status=str(data.get("status") or "queued"),
            filename=str(data.get("filename") or ""),
            uploader=str(data.get("uploader") or ""),
            upload_date=parse_datetime(data.get("upload_date")),
            download_link=str(data.get("download_link") or ""),
            status_url=str(data.get("status_url") or ""),
            original_filename=str(data.get("original_filename") or ""),
            size=_int(data["size"]) if data.get("size") is not None else None,
            sha256=str(data.get("sha256") or ""),
            download_link_expires=parse_datetime(data.get("download_link_expires")),
            attempts=attempts,
            raw=data,
        )


@dataclass(frozen=True)
class Counts:
    """What processing did to the stored data."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Counts:
        return cls(**{name: _int(data.get(name)) for name in cls.__dataclass_fields__})

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Problem:
    """One problem found in the upload, located as precisely as the format allows."""

    message: str
    file: str = ""
    line: int | None = None
    feature: str | None = None
    field: str = ""
    value: str = ""

    @classmethod
    def from_json(cls, data: Any) -> Problem:
        if not isinstance(data, dict):
            return cls(message=str(data))
        line = data.get("line")
        return cls(
            message=str(data.get("message") or data.get("detail") or ""),
            file=str(data.get("file") or ""),
            line=int(line) if isinstance(line, int) else None,
            feature=str(data["feature"]) if data.get("feature") is not None else None,
            field=str(data.get("field") or ""),
            value=str(data.get("value") if data.get("value") is not None else ""),
        )

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.feature:
            where.append(f"feature {self.feature}")
        if self.field:
            where.append(f"field {self.field}")
        prefix = ", ".join(where)
        value = f" (value {self.value!r})" if self.value else ""
        return f"{prefix}: {self.message}{value}" if prefix else f"{self.message}{value}"


@dataclass(frozen=True)
class UploadStatus:
    """An upload as ``GET /uploads/{id}/`` reports it: status, counts, timings and problems.

    ``errors`` holds the first problems the server reports; ``error_count`` how many there are in
    total (the full list is the CSV at ``error_report_url``).
    """

    id: int
    status: str
    counts: Counts = field(default_factory=Counts)
    errors: tuple[Problem, ...] = ()
    error_count: int = 0
    warnings: tuple[str, ...] = ()
    failure_reason: str = ""
    filename: str = ""
    original_filename: str = ""
    received_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error_report_url: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UploadStatus:
        counts = data["counts"] if isinstance(data.get("counts"), dict) else data
        errors = tuple(Problem.from_json(item) for item in data.get("errors") or ())
        return cls(
            id=int(data["id"]),
            status=str(data.get("status") or ""),
            counts=Counts.from_json(counts),
            errors=errors,
            error_count=_int(data.get("error_count")) or len(errors),
            warnings=tuple(str(item) for item in data.get("warnings") or ()),
            failure_reason=str(data.get("failure_reason") or ""),
            filename=str(data.get("filename") or ""),
            original_filename=str(data.get("original_filename") or ""),
            received_at=parse_datetime(data.get("received_at") or data.get("upload_date")),
            started_at=parse_datetime(data.get("started_at")),
            finished_at=parse_datetime(data.get("finished_at")),
            error_report_url=str(data.get("error_report_url") or data.get("error_report") or ""),
            raw=data,
        )

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    @property
    def failed(self) -> bool:
        return self.status == "failed"
