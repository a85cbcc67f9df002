"""Error reports: every problem of an upload as a CSV in object storage.

Columns ``file,line,feature,field,value,message``; one row per problem, in the order found.
Cells that a spreadsheet could run as a formula get a leading apostrophe. The
key is generated from the upload id (``reports/upload-<id>-errors.csv``) and rewritten when an
upload is processed again, so a report always belongs to the latest attempt.
"""

from __future__ import annotations

import csv
import io

from django.core.files.base import ContentFile

from sluis.formats.records import Problem
from sluis.uploads.storage import object_storage

COLUMNS = ("file", "line", "feature", "field", "value", "message")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP CSV injection): text starting
    with ``= + - @``, a tab or a carriage return gets a leading apostrophe. A negative number
    is no exception: ``-2+3+cmd|' /C calc'!A0`` starts like one."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def report_key(upload_id: int) -> str:
    return f"reports/upload-{upload_id}-errors.csv"


def report_csv(problems: list[Problem]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for problem in problems:
        writer.writerow(
            [
                cell(problem.file),
                "" if problem.line is None else problem.line,
                cell(problem.feature),
                cell(problem.field),
                cell(problem.value),
                cell(problem.message),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def report_store(*, upload_id: int, problems: list[Problem]) -> str:
    """Write the report and return its key; an old report of the same upload is replaced."""
    storage = object_storage()
    key = report_key(upload_id)
    if storage.exists(key):
        storage.delete(key)
    return storage.save(key, ContentFile(report_csv(problems)))


def report_delete(*, upload_id: int) -> None:
    storage = object_storage()
    if storage.exists(report_key(upload_id)):
        storage.delete(report_key(upload_id))
