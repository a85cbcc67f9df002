"""Timestamps of raster frames: from file names, the TIFF ``DateTime`` tag and CF time units.

No Django here. Every function returns an aware UTC ``datetime`` or ``None`` (not found); a
malformed configuration (a bad filename pattern, unsupported CF units) raises ``TimestampError``
with a sentence a supplier can act on.

Filename patterns look like ``evaporation_{timestamp:%Y-%m-%d}.tif``: the text outside the braces
must match literally, the ``strptime`` format inside reads the timestamp. They are matched on the
original, unsanitised name (only its last path component), so ``evaporation#{timestamp:%Y-%m-%d}``
works for ``evaporation#2020-1-1.tif``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import cftime

from sluis.names import basename

# strptime directive -> the regex that finds its text (lenient: strptime accepts 1-digit months)
_DIRECTIVES = {
    "Y": r"\d{4}",
    "y": r"\d{2}",
    "m": r"\d{1,2}",
    "d": r"\d{1,2}",
    "H": r"\d{1,2}",
    "M": r"\d{1,2}",
    "S": r"\d{1,2}",
    "f": r"\d{1,6}",
    "j": r"\d{1,3}",
    "b": r"[A-Za-z]{3,9}",
    "B": r"[A-Za-z]{3,9}",
    "p": r"[AaPp][Mm]",
    "z": r"(?:Z|[+-]\d{2}:?\d{2})",
    "%": "%",
}
_PLACEHOLDER = re.compile(r"\{timestamp:([^{}]+)\}")

# Dates in names without a configured pattern: 2020-01-01, 2020_01_01, 2020.01.01, 20200101,
# 2020-1-1, each optionally followed by a time: T0600, T06:00, _0600, T060000, T06:00:00.
_DEFAULT_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})"
    r"(?:(?P<sep>[-_.])(?P<m1>\d{1,2})(?P=sep)(?P<d1>\d{1,2})|(?P<m2>\d{2})(?P<d2>\d{2}))"
    r"(?:[T_ ](?P<H>\d{2}):?(?P<M>\d{2})(?::?(?P<S>\d{2}))?)?(?!\d)"
)
_TIFF_DATETIME = re.compile(r"^\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})\s*$")


class TimestampError(ValueError):
    """A timestamp rule is configured wrongly or a value cannot be read; the message says why."""


class PatternError(TimestampError):
    """The ``filename_pattern`` is unusable, or a name fits it but holds no valid time."""


class FilenamePattern:
    """A compiled ``filename_pattern`` setting, shared by every kind that reads names (rasters,
    files): literal text, ``*``/``?`` wildcards and exactly one ``{timestamp:<strptime format>}``
    placeholder, matched case-insensitively on the last component of the original name."""

    def __init__(self, pattern: str):
        found = _PLACEHOLDER.findall(pattern)
        if len(found) != 1:
            raise PatternError(
                f"filename_pattern {pattern!r} must contain exactly one "
                "{timestamp:<format>}, e.g. 'evaporation_{timestamp:%Y-%m-%d}.tif'."
            )
        self.pattern = pattern
        self.format = found[0]
        before, after = _PLACEHOLDER.split(pattern)[0], _PLACEHOLDER.split(pattern)[-1]
        body = _format_regex(self.format, pattern)
        self.regex = re.compile(f"{_literal(before)}({body}){_literal(after)}", re.IGNORECASE)

    def timestamp(self, name: str) -> datetime | None:
        """The time in ``name`` as written (naive unless the format has ``%z``); None if the name
        does not fit. Raises PatternError when it fits but is no valid time (2024-13-99)."""
        hit = self.regex.fullmatch(basename(name))
        if hit is None:
            return None
        try:
            return datetime.strptime(hit.group(1).replace("Z", "+0000"), self.format)
        except ValueError as exc:
            raise PatternError(f"{hit.group(1)!r} is not a valid {self.format!r} time.") from exc

    def match(self, name: str, tz: ZoneInfo) -> datetime | None:
        """The timestamp in ``name`` in UTC (naive times in ``tz``); None if there is none."""
        try:
            parsed = self.timestamp(name)
        except PatternError:
            return None
        return as_utc(parsed, tz) if parsed else None


def _literal(text: str) -> str:
    return "".join(".*?" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


def _format_regex(fmt: str, pattern: str) -> str:
    parts, index = [], 0
    while index < len(fmt):
        char = fmt[index]
        if char != "%":
            parts.append(re.escape(char))
            index += 1
            continue
        directive = fmt[index + 1 : index + 2]
        if directive not in _DIRECTIVES:
            known = " ".join(f"%{d}" for d in _DIRECTIVES)
            raise PatternError(
                f"filename_pattern {pattern!r} uses %{directive}, which is not supported; "
                f"supported: {known}."
            )
        parts.append(_DIRECTIVES[directive])
        index += 2
    return "".join(parts)


def as_utc(value: datetime, tz: ZoneInfo) -> datetime:
    """Naive values are in ``tz`` (the data source's time zone, UTC by default)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def from_name(name: str, tz: ZoneInfo) -> datetime | None:
    """A date or date-time in a file name in a common form, when no pattern is configured.

    Two different dates in one name are ambiguous: that is an error asking for a pattern.
    """
    found = {_default_value(hit) for hit in _DEFAULT_DATE.finditer(basename(name))}
    dates = {value for value in found if value is not None}
    if len(dates) > 1:
        listed = ", ".join(sorted(v.isoformat() for v in dates))
        raise TimestampError(
            f"the name holds several dates ({listed}); set a filename_pattern to choose one."
        )
    return as_utc(dates.pop(), tz) if dates else None


def _default_value(hit: re.Match) -> datetime | None:
    month, day = hit["m1"] or hit["m2"], hit["d1"] or hit["d2"]
    try:
        return datetime(  # naive: the caller applies the data source's time zone
            int(hit["y"]),
            int(month),
            int(day),
            int(hit["H"] or 0),
            int(hit["M"] or 0),
            int(hit["S"] or 0),
        )
    except ValueError:
        return None  # 2020-13-45 is not a date; keep looking


def from_tiff_datetime(value: str | None, tz: ZoneInfo) -> datetime | None:
    """The TIFF ``DateTime`` tag, ``YYYY:MM:DD HH:MM:SS`` (naive: in ``tz``)."""
    hit = _TIFF_DATETIME.match(value or "")
    if hit is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in hit.groups())
        parsed = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return as_utc(parsed, tz)


def from_cf(values: list[float], units: str, calendar: str | None) -> list[datetime]:
    """CF time coordinate values (``days since 2020-01-01`` ...) as UTC datetimes.

    Only calendars that map onto real dates are accepted (standard, gregorian,
    proleptic_gregorian); ``noleap`` or ``360_day`` model time has no real date to store.
    """
    calendar = (calendar or "standard").lower()
    try:
        dates = cftime.num2date(
            values,
            units,
            calendar,
            only_use_cftime_datetimes=False,
            only_use_python_datetimes=True,
        )
    except ValueError as exc:
        raise TimestampError(
            f"the time coordinate (units {units!r}, calendar {calendar!r}) cannot be read as "
            f"real dates ({exc})."
        ) from exc
    return [as_utc(_plain(date), ZoneInfo("UTC")) for date in dates]


def _plain(value: datetime) -> datetime:
    """cftime's datetime subclass as a plain one (CF reference times without offset are UTC)."""
    return datetime.fromisoformat(value.isoformat())
