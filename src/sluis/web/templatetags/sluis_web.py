"""Template helpers of the supplier pages."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()
UTC = ZoneInfo("UTC")


@register.simple_tag
def when(value: datetime | None, zone: str = "", style: str = "datetime") -> str:
    """A ``<time>`` in ``zone`` (the source's time zone) with its offset, UTC on hover.

    Without a zone the server writes UTC and marks the element ``data-zone="browser"``: the
    page's script (times.js) rewrites it in the browser's own time zone, keeping the UTC title.
    ISO order always (2026-12-05 08:00 +01:00), never a US-only date.
    """
    if value is None:
        return ""
    utc = value.astimezone(UTC)
    local = utc.astimezone(_zone(zone) or UTC)
    pattern = "%Y-%m-%d" if style == "date" else "%Y-%m-%d %H:%M:%S"
    text = local.strftime(pattern) + ("" if style == "date" else " " + _offset(local))
    return format_html(
        '<time datetime="{}" title="{} UTC" data-style="{}"{}>{}</time>',
        utc.isoformat().replace("+00:00", "Z"),
        utc.strftime("%Y-%m-%d %H:%M:%S"),
        style,
        "" if _zone(zone) else mark_safe(' data-zone="browser"'),
        text,
    )


@register.filter
def thousands(value: int) -> str:
    """12345 as "12,345" (English) or "12.345" (Dutch)."""
    return number_format(value, force_grouping=True)


def _zone(name: str) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _offset(value: datetime) -> str:
    """+01:00, or UTC for UTC itself."""
    if value.utcoffset() == timedelta(0) and str(value.tzinfo) == "UTC":
        return "UTC"
    text = value.strftime("%z")
    return f"{text[:3]}:{text[3:]}"
