"""CSV exports of Dutch water-sector portals, recognised by their shape and read as they are.

No Django here. Each portal writes a CSV that the plain long or wide layouts cannot read (a
metadata preamble above the data header, date and time in separate columns, a location split
over two columns, a value column per reference level). ``csv_profile`` recognises them from the
first 256 KiB; the CSV reader then starts at the data header and uses the profile's layout:

- **DINOloket** groundwater levels (``Grondwaterstanden_Put``) and surface-water gauges
  (``Peilschaal``): metadata preamble; data header ``Locatie,[Filternummer,]Peildatum,Stand (cm
  t.o.v. MP),...``. Location ``Locatie-Filternummer`` (``B44F0279-001``), one series per
  ``Stand ...`` column (its header is the parameter), unit ``cm``, dates ``dd-mm-yyyy`` in the
  data source's time zone, flag ``Bijzonderheid``.
- **KNMI** station data (``etmgeg``, ``neerslaggeg``, ``uurgeg``): free-text preamble, header
  ``STN,YYYYMMDD,[HH,]...`` (``#`` in front in some downloads). Location ``STN``, one series per
  other column (``RD``, ``TG``, ...; KNMI's integer units as written, e.g. 0.1 mm), times UTC;
  ``HH`` is the hour ending the hour-long period (1 to 24).
- **Rijkswaterstaat Waterinfo** exports: ``;``-separated, Dutch column names, date and time in
  ``WAARNEMINGDATUM`` and ``WAARNEMINGTIJD`` (CET, UTC+1 all year), value ``NUMERIEKEWAARDE``
  (``999999999`` = no value), location ``LOCATIE_CODE`` (else ``MEETPUNT_IDENTIFICATIE``),
  parameter ``GROOTHEID_ CODE``, unit ``EENHEID_CODE``, flag ``KWALITEITSOORDEEL_CODE``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

PROFILE_HEAD_BYTES = 256 * 1024
_KNMI_HEADER = re.compile(r"^#?\s*STN,\s*YYYYMMDD\b")


@dataclass(frozen=True)
class Profile:
    """How to read one portal's CSV: where its header is and what each column means."""

    name: str
    header_line: int  # physical line of the data header (1-based); 0: the file holds no data
    delimiter: str = ","
    location: tuple[str, ...] = ()  # columns joined with "-"
    timestamp: str = ""  # a column of dates/times, read with ``timestamp_format``
    timestamp_format: str | None = None
    timezone: str | None = None  # None: the data source's
    series: tuple[str, ...] = ()  # value columns, one series each (header = parameter)
    parameter: str = ""  # a column naming the parameter per row (instead of ``series``)
    value: str = ""  # the value column when ``parameter`` is a column
    unit: str = ""  # a fixed unit, or the column holding it (``unit_column``)
    unit_column: str = ""
    flag: str = ""
    missing: float | None = None  # a value meaning "no value"
    knmi_hours: str = ""  # KNMI: date column YYYYMMDD plus an hour column HH (1..24)
    extra: dict = field(default_factory=dict)


def csv_profile(path: Path) -> Profile | None:
    """The portal profile of the CSV at ``path``, or None for an ordinary CSV."""
    with open(path, "rb") as handle:
        head = handle.read(PROFILE_HEAD_BYTES)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return _knmi(lines) or _dino(lines) or _waterinfo(lines)


def header_offset(path: Path, line: int) -> int:
    """Byte offset where physical line ``line`` (1-based) starts, for any line ending."""
    if line <= 1:
        return 0
    with open(path, "rb") as handle:
        head = handle.read(PROFILE_HEAD_BYTES)
    count, index = 1, 0
    while count < line:
        newline = min(
            (p for p in (head.find(b"\n", index), head.find(b"\r", index)) if p >= 0),
            default=-1,
        )
        if newline < 0:
            return len(head)
        index = newline + 1
        if head[newline : newline + 2] == b"\r\n":
            index += 1
        count += 1
    return index


def _cells(line: str, delimiter: str = ",") -> list[str]:
    return [cell.strip() for cell in next(csv.reader(io.StringIO(line), delimiter=delimiter), [])]


def _knmi(lines: list[str]) -> Profile | None:
    for number, line in enumerate(lines, start=1):
        if _KNMI_HEADER.match(line):
            names = [name for name in _cells(line.lstrip("#")) if name]
            hours = "HH" if "HH" in names else ""
            series = tuple(n for n in names if n not in ("STN", "YYYYMMDD", "HH"))
            return Profile(
                "KNMI station data",
                number,
                location=("STN",),
                timestamp="YYYYMMDD",
                series=series,
                knmi_hours=hours or "day",
            )
    return None


def _dino(lines: list[str]) -> Profile | None:
    first = _cells(lines[0])[0] if lines and _cells(lines[0]) else ""
    if not first.startswith(("Titel:", "Periode aangevraagd:")):
        return None
    for number in range(len(lines), 0, -1):
        names = _cells(lines[number - 1])
        if names[:1] == ["Locatie"] and "Peildatum" in names:
            location = ("Locatie", "Filternummer") if "Filternummer" in names else ("Locatie",)
            series = tuple(n for n in names if n.startswith("Stand"))
            return Profile(
                "DINOloket export",
                number,
                location=location,
                timestamp="Peildatum",
                timestamp_format="%d-%m-%Y",
                series=series,
                unit="cm",
                flag="Bijzonderheid",
            )
    # "Van deze put zijn geen standen opgenomen in de DINO-database": metadata, no measurements
    return Profile("DINOloket export", 0)


def _waterinfo(lines: list[str]) -> Profile | None:
    names = _cells(lines[0], ";") if lines else []
    wanted = {"WAARNEMINGDATUM", "NUMERIEKEWAARDE", "MEETPUNT_IDENTIFICATIE"}
    if not wanted <= set(names):
        return None
    time = next((n for n in names if n.startswith("WAARNEMINGTIJD")), "")
    return Profile(
        "Rijkswaterstaat Waterinfo export",
        1,
        delimiter=";",
        location=("LOCATIE_CODE",) if "LOCATIE_CODE" in names else ("MEETPUNT_IDENTIFICATIE",),
        timestamp="WAARNEMINGDATUM",
        timestamp_format="%d-%m-%Y %H:%M:%S",
        timezone="Etc/GMT-1",
        parameter="GROOTHEID_ CODE" if "GROOTHEID_ CODE" in names else "GROOTHEID_CODE",
        value="NUMERIEKEWAARDE",
        unit_column="EENHEID_CODE",
        flag="KWALITEITSOORDEEL_CODE",
        missing=999999999.0,
        extra={"time": time},
    )


def profile_columns(profile: Profile, names: list[str]) -> list[str]:
    """The columns the profile needs that the header lacks (empty when it can be read)."""
    needed = [
        *profile.location,
        profile.timestamp,
        *profile.series,
        profile.parameter,
        profile.value,
        profile.unit_column,
        profile.extra.get("time", ""),
    ]
    if profile.knmi_hours == "HH":
        needed.append("HH")
    present = set(names)
    return [name for name in needed if name and name not in present]


def profile_batches(
    profile: Profile, columns: dict[str, pa.Array], count: int
) -> list[dict[str, pa.Array]]:
    """Per series: location, parameter, unit, timestamp, value and flag columns (strings)."""
    location = _joined([columns[name] for name in profile.location])
    stamps = _timestamps(profile, columns)
    flag = columns.get(profile.flag) if profile.flag else None
    base = {"location": location, "timestamp": stamps}
    if flag is not None:
        base["flag"] = flag
    if profile.parameter:
        unit = columns.get(profile.unit_column, pa.array([""] * count, pa.string()))
        return [
            {
                **base,
                "parameter": columns[profile.parameter],
                "unit": unit,
                "value": columns[profile.value],
            }
        ]
    unit = pa.array([profile.unit] * count, pa.string())
    return [
        {
            **base,
            "parameter": pa.array([name] * count, pa.string()),
            "unit": unit,
            "value": pc.utf8_trim_whitespace(columns[name]),
        }
        for name in profile.series
    ]


def _joined(arrays: list[pa.Array]) -> pa.Array:
    trimmed = [pc.utf8_trim_whitespace(array) for array in arrays]
    if len(trimmed) == 1:
        return trimmed[0]
    return pc.binary_join_element_wise(*trimmed, "-")


def _timestamps(profile: Profile, columns: dict[str, pa.Array]) -> pa.Array:
    dates = pc.utf8_trim_whitespace(columns[profile.timestamp])
    if time := profile.extra.get("time"):
        return pc.binary_join_element_wise(dates, pc.utf8_trim_whitespace(columns[time]), " ")
    if not profile.knmi_hours:
        return dates
    hours = columns.get("HH") if profile.knmi_hours == "HH" else None
    texts = []
    for i, date in enumerate(dates.to_pylist()):
        hour = (hours[i].as_py() or "").strip() if hours is not None else "0"
        texts.append(_knmi_time(date or "", hour))
    return pa.array(texts, pa.string())


def _knmi_time(date: str, hour: str) -> str:
    """KNMI ``YYYYMMDD`` and ``HH`` (1..24, the hour ending the period) as UTC ISO text."""
    try:
        moment = datetime.strptime(date, "%Y%m%d").replace(tzinfo=UTC) + timedelta(
            hours=int(hour or 0)
        )
    except ValueError:
        return f"{date} {hour}".strip()  # reported as a timestamp problem on its line
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
