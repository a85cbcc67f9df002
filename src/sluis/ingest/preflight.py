"""Checks made on a received file before 201 is answered (the processing issue fills these in).

``upload_preflight`` is called by the upload service with the received bytes on local disk. It
returns the detected format name and raises a ``SluisError`` (400) naming every offending archive
member or a format that does not fit the data source's kind.
"""

from pathlib import Path


def upload_preflight(*, path: Path, filename: str, data_source) -> str:
    return ""
