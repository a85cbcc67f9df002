"""Run a timeseries reader on bytes written in the test; no database involved."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sluis.formats.records import Report
from sluis.readers.timeseries.batch import ReadContext, ReaderError, convert
from sluis.readers.timeseries.csv import read_csv_timeseries
from sluis.readers.timeseries.json import read_json_timeseries
from sluis.readers.timeseries.pixml import read_pixml

READERS = {"csv": read_csv_timeseries, "json": read_json_timeseries, "pi-xml": read_pixml}


@dataclass
class Read:
    events: list[tuple] = field(default_factory=list)  # (location, parameter, iso, value, flag)
    lines: list[int] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    skipped: int = 0
    file_error: str | None = None

    @property
    def first(self) -> tuple:
        return self.events[0]


def read(tmp_path, content, fmt="csv", *, options=None, **settings) -> Read:
    path = tmp_path / f"input.{fmt}"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    report = Report()
    ctx = ReadContext.from_settings(file="input", report=report, ingest_settings=settings)
    out = Read()
    try:
        for raw in READERS[fmt](path, ctx, settings, **(options or {})):
            batch = convert(raw, ctx)
            for i in range(batch.size):
                moment = datetime.fromtimestamp(int(batch.timestamp[i]) / 1e6, UTC)
                out.events.append(
                    (
                        batch.location[i].as_py(),
                        batch.parameter[i].as_py(),
                        moment.isoformat(),
                        float(batch.value[i]),
                        batch.flag[i].as_py(),
                    )
                )
                out.units.append(batch.unit[i].as_py())
            out.lines.extend(int(line) for line in batch.lines)
    except ReaderError as error:
        out.file_error = error.message
    out.problems = sorted((p.as_dict() for p in report.problems), key=lambda p: p.get("line", 0))
    out.skipped = ctx.skipped_missing
    return out
