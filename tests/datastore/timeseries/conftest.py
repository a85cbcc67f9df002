"""Helpers to run the timeseries processor on files written in the test (no engine needed)."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from sluis.datastore.timeseries.models import Event, Series
from sluis.formats.records import Counts, Member
from sluis.kinds import IngestJob, kind_get


@dataclass
class Outcome:
    counts: Counts
    job: IngestJob

    @property
    def warnings(self) -> list[str]:
        return self.job.report.warnings

    @property
    def problems(self) -> list[dict]:
        return [p.as_dict() for p in self.job.report.problems]


@pytest.fixture
def levels(make_source):
    return make_source(name="Levels").data_source


@pytest.fixture
def ingest(tmp_path):
    """``ingest(source, content, fmt="csv", name=..., **settings)`` → ``Outcome``.

    ``content`` is str/bytes, or a list of (name, fmt, content) for a multi-member upload.
    """
    counter = iter(range(10_000))

    def run(source, content, fmt="csv", name=None, **settings):
        members = content if isinstance(content, list) else [(name or f"data.{fmt}", fmt, content)]
        built = []
        for member_name, member_format, data in members:
            path = tmp_path / f"member-{next(counter)}"
            path.write_bytes(data.encode() if isinstance(data, str) else data)
            built.append(Member(path, member_name, member_format, path.stat().st_size))
        job = IngestJob(
            upload_id=1,
            data_source=source,
            ingest_settings={**source.ingest_settings, **settings},
            members=built,
            received_at=datetime.now(UTC),
        )
        return Outcome(kind_get("timeseries").processor.process(job), job)

    return run


def stored(source) -> dict[tuple[str, str, str], float]:
    """Every stored event of ``source`` as {(location, parameter, ISO time): value}."""
    events = Event.objects.filter(series__data_source=source).select_related("series")
    return {
        (e.series.location, e.series.parameter, e.timestamp.isoformat()): e.value for e in events
    }


def series_of(source, location, parameter) -> Series:
    return Series.objects.get(data_source=source, location=location, parameter=parameter)
