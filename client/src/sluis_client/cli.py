"""``sluis-upload``: list sync tasks, upload files, follow their processing.

Exit codes (stable; scripts may rely on them):

==== ==========================================================================
  0  done (for ``upload --wait`` and ``status``: processing succeeded or is still running)
  1  any other error (an unexpected server answer, a server error)
  2  usage or configuration error (bad option, no URL, a file that does not exist, or the
     ``cli`` extra (rich) not installed)
  3  forbidden: no or invalid token, or not a Data Supplier for the task (403)
  4  not found: no such sync task or upload visible to the token (404)
  5  bad request: the task takes no uploads, or the server refused the request (400)
  6  busy: the data source was still processing an earlier upload after every retry (409)
  7  too large (413)
  8  unsupported format: the file does not fit the data source (400/415)
  9  processing failed
 10  connection failed: the server could not be reached after every retry
 11  wait timed out: the upload is still queued or processing
130  interrupted (Ctrl+C)
==== ==========================================================================
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sluis_client import __version__
from sluis_client.exits import EXIT_USAGE

CLI_EXTRA_MISSING = (
    "sluis-upload: error: the command needs the 'cli' extra of sluis-client (the rich library), "
    "which is not installed. Install it with:  pip install 'sluis-client[cli]'"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``sluis-upload`` with ``argv`` and return the exit status.

    ``--help`` and ``--version`` work with the library alone; running a command needs the
    ``cli`` extra (rich), and without it the command says how to install it and exits 2.
    """
    args = build_parser().parse_args(argv)
    try:
        # Imported here, not at the top: rich is an optional extra that only the commands need.
        from sluis_client.commands import run
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] != "rich":
            raise
        print(CLI_EXTRA_MISSING, file=sys.stderr)
        return EXIT_USAGE
    return run(args)


# --- argument parsing ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sluis-upload",
        description="Upload data to Sluis and follow its processing.",
        epilog="Exit codes: 0 ok, 1 error, 2 usage, 3 forbidden, 4 not found, 5 bad request, "
        "6 busy, 7 too large, 8 unsupported format, 9 processing failed, 10 connection failed, "
        "11 wait timed out.",
    )
    parser.add_argument("--version", action="version", version=f"sluis-upload {__version__}")
    common = _common_options()
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tasks = commands.add_parser("tasks", parents=[common], help="list sync tasks")
    tasks.add_argument("--uploadable", action="store_true", help="only tasks accepting uploads")
    tasks.add_argument("--search", help="words in the task's or data source's name/description")
    tasks.add_argument(
        "--type", dest="task_type", choices=["data_source", "calculation", "scenario"]
    )

    upload = commands.add_parser("upload", parents=[common], help="upload files to a sync task")
    upload.add_argument("task", type=int, metavar="TASK", help="the sync task id")
    upload.add_argument("files", nargs="+", metavar="FILE", help="files (or folders with --zip)")
    upload.add_argument("--zip", action="store_true", help="send all files as one zip archive")
    upload.add_argument("--wait", action="store_true", help="wait for processing to finish")
    _wait_option(upload)

    status = commands.add_parser("status", parents=[common], help="show an upload's status")
    status.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    status.add_argument("--wait", action="store_true", help="wait for processing to finish")
    _wait_option(status)
    return parser


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", help="Sluis URL (else SLUIS_URL, else the config file)")
    common.add_argument("--token", help="API token (else SLUIS_TOKEN, else the config file)")
    common.add_argument("--config", metavar="FILE", help="config file (TOML with url, token)")
    common.add_argument("--json", action="store_true", help="print JSON instead of text")
    common.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    common.add_argument(
        "--http-timeout", type=float, default=60.0, metavar="SECONDS", help="per network step"
    )
    common.add_argument("--attempts", type=_positive_int, help="tries per request at most (5)")
    common.add_argument(
        "--max-retry-wait", type=float, metavar="SECONDS", help="total waiting between tries (900)"
    )
    return common


def _wait_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait-timeout",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="give up waiting after this long (exit 11)",
    )


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
