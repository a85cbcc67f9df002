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

import math
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
UTC_ZONE = ZoneInfo("UTC")

# Dates in names without a configured pattern: 2020-01-01, 2020_01_01, 2020.01.01, 20200101,
# 2020-1-1, each optionally followed by a time: T0600, T06:00, _0600, T060000, T06:00:00.
# A hyphenated date may have any year (so _9999-12-31 is reported, not overlooked); the other
# forms need a 19xx/20xx year, as tile numbers look like them. A time never starts a second date
# (in c10m_2020-01-01_2021-01-01 "_2021" is the next date, not 20:21).
_NEXT_DATE = r"(?!\d{4}-\d|(?:19|20)\d{2}[_.]\d|(?:19|20)\d{6}(?!\d))"
_DEFAULT_DATE = re.compile(
    r"(?<!\d)(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})"
    r"|(?P<y2>(?:19|20)\d{2})(?P<sep>[_.])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2})"
    r"|(?P<y3>(?:19|20)\d{2})(?P<m3>\d{2})(?P<d3>\d{2}))"
    rf"(?:[T_ ]{_NEXT_DATE}(?P<H>\d{{2}}):?(?P<M>\d{{2}})(?::?(?P<S>\d{{2}}))?)?(?!\d)"
)
# Years a timestamp may have: wide, yet far enough from datetime's limits (1..9999) that no time
# zone shift or API arithmetic overflows.
MIN_YEAR, MAX_YEAR = 1000, 9998
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
        """The timestamp in ``name`` in UTC (naive times in ``tz``); None if there is none.
        Raises TimestampError for a time outside ``MIN_YEAR``..``MAX_YEAR``."""
        try:
            parsed = self.timestamp(name)
        except PatternError:
            return None
        if parsed is None:
            return None
        return as_utc(year_check(parsed, f"the name holds {parsed.date().isoformat()}"), tz)


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

    Two different dates in one name are ambiguous, and a name visibly holding a date that is no
    real date (2025-02-30) or lies outside ``MIN_YEAR``..``MAX_YEAR``: both raise
    ``TimestampError`` with a sentence saying so. A compact 8-digit run that is no date
    (``run_12345678``) is not taken for one.
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
    year = hit["y1"] or hit["y2"] or hit["y3"]
    month, day = hit["m1"] or hit["m2"] or hit["m3"], hit["d1"] or hit["d2"] or hit["d3"]
    hour, minute, second = (int(hit[part] or 0) for part in ("H", "M", "S"))
    try:  # naive: in the data source's time zone
        value = datetime(int(year), int(month), int(day), hour, minute, second)
    except ValueError:
        if hit["y3"]:
            return None  # a compact run of digits that is no date: keep looking
        raise TimestampError(
            f"the name holds {hit[0].lstrip('_T ')!r}, which is not a valid date."
        ) from None
    return year_check(value, f"the name holds {value.date().isoformat()}")


def year_check(value: datetime, what: str) -> datetime:
    """``value`` if its year is within ``MIN_YEAR``..``MAX_YEAR``, else ``TimestampError``."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise TimestampError(
            f"{what}, outside the years {MIN_YEAR} to {MAX_YEAR} that Sluis stores."
        )
    return value


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
    if not all(math.isfinite(value) for value in values):
        raise TimestampError("the time coordinate holds a value that is not a number (NaN).")
    try:
        dates = cftime.num2date(
            values,
            units,
            calendar,
            only_use_cftime_datetimes=False,
            only_use_python_datetimes=True,
        )
        moments = [_plain(date) for date in dates]
    except (ValueError, OverflowError) as exc:
        raise TimestampError(
            f"the time coordinate (units {units!r}, calendar {calendar!r}) cannot be read as "
            f"real dates between the years {MIN_YEAR} and {MAX_YEAR}."
        ) from exc
    what = "the time coordinate holds {}"
    return [as_utc(year_check(m, what.format(m.date().isoformat())), UTC_ZONE) for m in moments]


def _plain(value: datetime) -> datetime:
    """cftime's datetime subclass as a plain one (CF reference times without offset are UTC)."""
    return datetime.fromisoformat(value.isoformat())
