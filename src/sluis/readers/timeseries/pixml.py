"""Delft-FEWS PI-XML timeseries (``<TimeSeries><series><header>…</header><event …/>``).

Parsed as a stream with defusedxml's SAX parser (no DTDs, no entities, no external references),
so a large file never sits in memory and every event keeps its line number.

Per series header: ``locationId``, ``parameterId``, ``units``, ``missVal`` (default ``NaN``);
``qualifierId`` and ``ensembleMemberIndex`` (or ``ensembleMemberId``) make distinct series of
one parameter, so they become part of its name (``series_parameter``).
The document's ``timeZone`` (hours east of GMT, e.g. ``1.0``) applies to every ``date``/``time``;
without it the data source's ``timezone`` setting applies (UTC by default). An event whose value
equals ``missVal`` (or has no value) is not stored: it is skipped and counted in one warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

import defusedxml.sax
import numpy as np
import pyarrow as pa
from defusedxml import DefusedXmlException

from sluis.readers.timeseries.batch import RawBatch, ReadContext, ReaderError

BATCH_ROWS = 50_000
_HEADER_TEXT = {"locationId": "location", "parameterId": "parameter", "units": "unit"}
_MEMBER_TAGS = ("ensembleMemberIndex", "ensembleMemberId")


def series_parameter(parameter: str, qualifiers: list[str], member: str) -> str:
    """The stored parameter of a Delft-FEWS series: its ``parameterId``, then its qualifiers in
    brackets and its ensemble member, so that e.g. ``Q.sim (min) member 3`` and ``Q.sim member
    4`` stay apart instead of overwriting each other."""
    name = parameter
    if qualifiers:
        name += " (" + ", ".join(qualifiers) + ")"
    if member:
        name += f" member {member}"
    return name


def read_pixml(
    path: Path, ctx: ReadContext, ingest_settings: dict[str, Any], *, batch_rows: int = BATCH_ROWS
) -> Iterator[RawBatch]:
    """Yield raw batches of one PI-XML file; malformed XML raises ``ReaderError``."""
    handler = _Handler(batch_rows)
    parser = defusedxml.sax.make_parser()
    for name, value in (("forbid_dtd", True), ("forbid_entities", True), ("forbid_external", True)):
        setattr(parser, name, value)
    parser.setContentHandler(handler)
    handler.setDocumentLocator(parser)  # feed() never hands the handler a locator itself
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            _feed(parser, handler, block)
            yield from handler.take()
        _feed(parser, handler, b"", close=True)
    yield from handler.take()
    if not handler.seen_root:
        raise ReaderError("not a PI-XML timeseries document (no <TimeSeries> root)")


def _feed(parser, handler, block: bytes, close: bool = False) -> None:
    try:
        parser.close() if close else parser.feed(block)
    except SAXException as exc:
        line = handler.line()
        raise ReaderError(f"malformed XML near line {line}: {exc.getMessage()}", line=line) from exc
    except DefusedXmlException as exc:
        raise ReaderError(f"refused XML construct: {exc}", line=handler.line()) from exc


def offset_text(hours_text: str) -> str:
    """A PI ``timeZone`` (hours east of GMT, ``"1.0"``) as an ISO offset (``"+01:00"``)."""
    hours = float(hours_text)
    minutes = round(abs(hours) * 60)
    sign = "-" if hours < 0 else "+"
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


class _Handler(ContentHandler):
    def __init__(self, batch_rows: int):
        super().__init__()
        self.batch_rows = batch_rows
        self.seen_root = False
        self.offset = ""
        self.header: dict[str, str] = {}
        self.text: list[str] | None = None
        self.rows: list[tuple[str, str, str, int]] = []
        self.ready: list[RawBatch] = []
        self._locator = None

    def setDocumentLocator(self, locator):
        self._locator = locator

    def line(self) -> int | None:
        return self._locator.getLineNumber() if self._locator else None

    def startElement(self, name, attrs):
        tag = name.rpartition(":")[2]
        if tag == "TimeSeries":
            self.seen_root = True
        elif tag == "series":
            self.header = {"missVal": "NaN"}
            self.qualifiers: list[str] = []
        elif tag == "event":
            self.rows.append(self._event(attrs))
            if len(self.rows) >= self.batch_rows:
                self.flush()
        if tag in _HEADER_TEXT or tag in ("missVal", "timeZone", "qualifierId", *_MEMBER_TAGS):
            self.text = []

    def characters(self, content):
        if self.text is not None:
            self.text.append(content)

    def endElement(self, name):
        tag = name.rpartition(":")[2]
        if self.text is not None:
            text = "".join(self.text).strip()
            self.text = None
            if tag == "timeZone":
                self._time_zone(text)
            elif tag == "qualifierId":
                self.qualifiers.append(text)
            elif tag in _MEMBER_TAGS:
                self.header["member"] = text
            else:
                self.header[_HEADER_TEXT.get(tag, tag)] = text
        if tag == "series":
            self.flush()

    def _time_zone(self, text: str) -> None:
        try:
            self.offset = offset_text(text)
        except ValueError:
            raise SAXException(f"timeZone {text!r} is not a number of hours") from None

    def _event(self, attrs) -> tuple[str, str, str, int]:
        date = attrs.get("date", "")
        time = attrs.get("time", "00:00:00")
        stamp = f"{date}T{time}{self.offset}" if date else ""
        return stamp, attrs.get("value", ""), attrs.get("flag", ""), self.line() or 0

    def flush(self) -> None:
        if not self.rows:
            return
        count = len(self.rows)
        stamps, values, flags, lines = zip(*self.rows, strict=True)
        header = self.header
        parameter = series_parameter(
            header.get("parameter", ""), getattr(self, "qualifiers", []), header.get("member", "")
        )
        self.ready.append(
            RawBatch(
                columns={
                    "location": pa.array([header.get("location", "")] * count, pa.string()),
                    "parameter": pa.array([parameter] * count, pa.string()),
                    "unit": pa.array([header.get("unit", "")] * count, pa.string()),
                    "timestamp": pa.array(stamps, pa.string()),
                    "value": pa.array(values, pa.string()),
                    "flag": pa.array(flags, pa.string()),
                },
                lines=np.asarray(lines, dtype=np.int64),
                missing_value=_miss_value(header.get("missVal", "NaN")),
            )
        )
        self.rows = []

    def take(self) -> list[RawBatch]:
        ready, self.ready = self.ready, []
        return ready


def _miss_value(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
