"""Query-parameter parsing shared by the read-back APIs: bad values are 400s naming them."""

import re
from datetime import UTC, datetime, time

from django.utils.dateparse import parse_date, parse_datetime

from sluis.errors import InvalidParameter

# A '+' in an unencoded query string arrives as a space: "10:00:00 02:00" means "+02:00".
_SPACED_OFFSET = re.compile(r" (\d{2}(?::?\d{2})?)$")


def query_datetime(params, name: str) -> datetime | None:
    """ISO 8601 date or date-time (aware); naive values are UTC, a date alone its midnight UTC."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    text = _SPACED_OFFSET.sub(r"+\1", raw)
    try:
        value = parse_datetime(text)
        if value is None and (day := parse_date(text)) is not None:
            value = datetime.combine(day, time.min)
    except ValueError:
        value = None
    if value is None:
        raise InvalidParameter(
            f"'{name}' must be an ISO 8601 date or date-time such as 2024-05-01T12:00:00Z, "
            f"not {raw!r}."
        )
    return value if value.tzinfo else value.replace(tzinfo=UTC)
