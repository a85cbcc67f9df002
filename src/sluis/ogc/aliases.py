"""Data source aliases: the short names WFS and WMS clients use for layers.

An alias is the slug of the data source's name (``"Gemalen Noord"`` → ``gemalen-noord``; a slug
that would not start with a letter gets ``source-`` in front, as it is an XML name too). Slugs
are unique over all data sources: the oldest source with a slug keeps it, a later one with the
same slug gets ``<slug>-<id>``. So an alias never changes once given, unless the older source of
the same slug is renamed or deleted. No Django models here: callers pass ``(id, name)`` pairs.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.text import slugify


def slug_of(name: str) -> str:
    """The slug of a name, starting with a letter (an alias is also an XML element name)."""
    slug = slugify(name) or "source"
    return slug if slug[0].isalpha() else f"source-{slug}"


def aliases_assign(sources: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Alias per data source id, given every source's ``(id, name)``."""
    taken: set[str] = set()
    out: dict[int, str] = {}
    for pk, name in sorted(sources):
        alias = slug_of(name)
        while alias in taken:
            alias = f"{alias}-{pk}"
        out[pk] = alias
        taken.add(alias)
    return out
