"""The commands of ``sluis-upload`` (needs rich, the ``cli`` extra): run, print, exit status.

``cli`` parses the arguments; ``run`` carries out the chosen command and maps every error to
the documented exit status (``exits``).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from sluis_client.archive import zip_files
from sluis_client.client import Client
from sluis_client.config import resolve_settings
from sluis_client.errors import Busy, Forbidden, NotFound, SluisClientError, UnsupportedFormat
from sluis_client.exits import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PROCESSING_FAILED,
    EXIT_USAGE,
    exit_code_for,
)
from sluis_client.models import UploadResult, UploadStatus
from sluis_client.retry import RetryPolicy

_HINTS: dict[type[SluisClientError], str] = {
    Forbidden: "Check the token (--token, SLUIS_TOKEN or the config file) and that its user "
    "is a Data Supplier for this sync task.",
    NotFound: "List the tasks you can upload to with: sluis-upload tasks --uploadable",
}


def run(args: argparse.Namespace) -> int:
    """Carry out the parsed command ``args.command`` and return its exit status."""
    out = Console(highlight=False, soft_wrap=True)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out.width = 200  # a log file or pipe: do not squeeze tables into 80 columns
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        return int(COMMANDS[args.command](args, out, err))
    except SluisClientError as error:
        _print_error(err, error)
        return exit_code_for(error)
    except (FileNotFoundError, IsADirectoryError, PermissionError, ValueError) as error:
        err.print(f"sluis-upload: error: {error}", markup=False)
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.print("sluis-upload: interrupted", markup=False)
        return EXIT_INTERRUPTED


# --- commands ------------------------------------------------------------------------------


def cmd_tasks(args: argparse.Namespace, out: Console, err: Console) -> int:
    with _client(args) as client:
        tasks = list(
            client.sync_tasks(
                uploadable=True if args.uploadable else None,
                search=args.search,
                task_type=args.task_type,
            )
        )
    if args.json:
        _print_json(out, [task.raw for task in tasks])
        return EXIT_OK
    table = Table(title=f"{len(tasks)} sync task(s)", title_justify="left")
    for column in ("ID", "Name", "Owner", "Type", "Kind", "Uploadable", "Private"):
        table.add_column(column, justify="right" if column == "ID" else "left")
    for task in tasks:
        table.add_row(
            str(task.id),
            task.name,
            task.owner,
            task.task_type,
            task.kind or "",
            _yes(task.uploadable),
            _yes(task.private),
        )
    out.print(table)
    return EXIT_OK


def cmd_upload(args: argparse.Namespace, out: Console, err: Console) -> int:
    files = _expand_files(args.files, folders=args.zip)
    with tempfile.TemporaryDirectory(prefix="sluis-upload-") as scratch:
        if args.zip:
            files = [zip_files(files, Path(scratch) / _archive_name(files))]
        with _client(args) as client:
            for index, path in enumerate(files):
                result = _upload_one(client, args, path, err)
                _report_upload(out, args, result)
                # The data source takes one upload at a time: a next file has to wait anyway.
                status = None
                if args.wait or index < len(files) - 1:
                    status = _wait(client, args, result, err)
                    _report_status(out, args, status)
                if args.json:
                    _print_json(out, _upload_dict(result, status))
                if status is not None and status.failed:
                    return EXIT_PROCESSING_FAILED
    return EXIT_OK


def cmd_status(args: argparse.Namespace, out: Console, err: Console) -> int:
    with _client(args) as client:
        status = (
            _wait(client, args, args.upload_id, err)
            if args.wait
            else client.upload_status(args.upload_id)
        )
    if args.json:
        _print_json(out, _status_dict(status))
    _report_status(out, args, status)
    return EXIT_PROCESSING_FAILED if status.failed else EXIT_OK


# --- helpers -------------------------------------------------------------------------------


def _client(args: argparse.Namespace) -> Client:
    settings = resolve_settings(url=args.url, token=args.token, config_file=args.config)
    retry = RetryPolicy(
        attempts=args.attempts or RetryPolicy.attempts,
        total_wait=RetryPolicy.total_wait if args.max_retry_wait is None else args.max_retry_wait,
    )
    return Client(settings.url, settings.token, timeout=args.http_timeout, retry=retry)


def _upload_one(client: Client, args: argparse.Namespace, path: Path, err: Console) -> UploadResult:
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, disable=args.quiet) as bar:
        task = bar.add_task(path.name, total=None)

        def progress(sent: int, total: int | None) -> None:
            bar.update(task, completed=sent, total=total)

        def retrying(error: SluisClientError, delay: float) -> None:
            bar.console.print(
                f"{_retry_reason(error)}; trying again in {delay:.0f} s.", markup=False
            )

        return client.upload(args.task, path, progress=progress, on_retry=retrying)


def _retry_reason(error: SluisClientError) -> str:
    if isinstance(error, Busy) and error.running_upload.get("id"):
        running = error.running_upload
        return f"The data source is busy with upload {running['id']} ({running.get('status')})"
    return str(error)


def _wait(
    client: Client, args: argparse.Namespace, upload: UploadResult | int, err: Console
) -> UploadStatus:
    upload_id = upload if isinstance(upload, int) else upload.id
    with err.status(f"Waiting for upload {upload_id} to be processed…") as spinner:

        def show(status: UploadStatus) -> None:
            spinner.update(f"Upload {upload_id} is {status.status}…")

        return client.wait(
            upload, timeout=args.wait_timeout, raise_on_failure=False, on_status=show
        )


def _report_upload(out: Console, args: argparse.Namespace, result: UploadResult) -> None:
    if args.json:
        return  # one JSON object per file, once its status is known
    name = result.original_filename or result.filename
    out.print(
        f"Uploaded {name} as upload {result.id} ({result.status}) to sync task {args.task}: "
        f"{_size(result.size)}, stored as {result.filename}.",
        markup=False,
    )


def _report_status(out: Console, args: argparse.Namespace, status: UploadStatus) -> None:
    if args.json:
        return
    counts = ", ".join(f"{value} {name}" for name, value in status.counts.as_dict().items())
    out.print(f"Upload {status.id} {status.status}: {counts}.", markup=False)
    if status.failure_reason:
        out.print(f"Reason: {status.failure_reason}", markup=False)
    for warning in status.warnings:
        out.print(f"Warning: {warning}", markup=False)
    if status.errors:
        table = Table("File", "Line", "Field", "Value", "Problem", title="Errors")
        for problem in status.errors:
            line = "" if problem.line is None else str(problem.line)
            table.add_row(problem.file, line, problem.field, problem.value, problem.message)
        out.print(table)
    _report_unlisted(out, status)


def _report_unlisted(out: Console, status: UploadStatus) -> None:
    """Past the problems listed: how many more there are, and where the full report is."""
    more = status.error_count - len(status.errors)
    if more > 0:
        where = f": {status.error_report_url}" if status.error_report_url else ""
        out.print(
            f"… and {more} more ({status.error_count} in all) in the full error report{where}",
            markup=False,
        )
    elif status.error_report_url:
        out.print(f"Error report: {status.error_report_url}", markup=False)


def _upload_dict(result: UploadResult, status: UploadStatus | None) -> dict[str, Any]:
    return {
        "upload": result.raw,
        "attempts": result.attempts,
        "status": _status_dict(status) if status else None,
    }


def _status_dict(status: UploadStatus) -> dict[str, Any]:
    return {key: value for key, value in asdict(status).items() if key != "raw"}


def _print_error(err: Console, error: SluisClientError) -> None:
    err.print(f"sluis-upload: error: {error}", markup=False)
    if isinstance(error, Busy) and error.running_upload:
        running = error.running_upload
        err.print(f"Running upload: {json.dumps(running, default=str)}", markup=False)
    if isinstance(error, UnsupportedFormat):
        for member in error.members:
            err.print(f"  {member.get('name')}: {member.get('problem')}", markup=False)
    hint = next((text for cls, text in _HINTS.items() if isinstance(error, cls)), None)
    if hint:
        err.print(hint, markup=False)


def _print_json(out: Console, data: Any) -> None:
    out.print_json(json.dumps(data, default=_json_default), highlight=False)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def _expand_files(given: Sequence[str], *, folders: bool) -> list[Path]:
    """The files to upload; wildcards are expanded here too, as Windows shells do not."""
    files: list[Path] = []
    for item in given:
        if not os.path.exists(item) and any(char in item for char in "*?["):
            matches = sorted(glob.glob(item))
            if not matches:
                raise FileNotFoundError(f"No file matches {item}")
            files.extend(Path(match) for match in matches)
        else:
            files.append(Path(item))
    for path in files:
        if path.is_dir() and not folders:
            raise IsADirectoryError(f"{path} is a folder: add --zip to upload it as one archive.")
        if not path.exists():
            raise FileNotFoundError(f"No such file: {path}")
    return files


def _archive_name(files: Sequence[Path]) -> str:
    return f"{files[0].stem}.zip" if len(files) == 1 else "upload.zip"


def _size(size: int | None) -> str:
    if size is None:
        return "size unknown"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"


def _yes(value: bool) -> str:
    return "yes" if value else "no"


COMMANDS: dict[str, Callable[[argparse.Namespace, Console, Console], int]] = {
    "tasks": cmd_tasks,
    "upload": cmd_upload,
    "status": cmd_status,
}
