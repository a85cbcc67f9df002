"""The ``sluis`` command: serve, manage organizations, users, data sources, grants and tokens.

Every command is thin: parse arguments, call one service of the owning app, print text (tables
for lists) or ``--json``. Command handlers import Django and the services inside their bodies,
on purpose: ``sluis --help`` and each command load only what they use (start-up time), not to
dodge an import cycle. Errors are ``SluisError``s: ``error: <detail>`` on standard error (JSON
with ``--json``) and exit status 2; nothing is changed.
"""

import argparse
import json
import sys
from importlib.metadata import version

from sluis.cli.accounts import add_account_commands
from sluis.cli.base import HelpFormatter, render, setup_django
from sluis.cli.init import add_init_command
from sluis.cli.legacy import add_legacy_commands
from sluis.cli.notifications import add_notification_commands
from sluis.cli.sources import add_source_commands
from sluis.cli.system import add_system_commands
from sluis.errors import SluisError

DESCRIPTION = "Sluis: serve the upload API; manage organizations, users, data sources and tokens."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sluis", description=DESCRIPTION, formatter_class=HelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"sluis {version('sluis')}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_system_commands(sub)
    add_init_command(sub)
    add_account_commands(sub)
    add_source_commands(sub)
    add_notification_commands(sub)
    add_legacy_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    setup_django()  # first: the kind apps register the kinds that ``--kind`` offers
    args = build_parser().parse_args(argv)
    try:
        result = args.handler(args)
    except SluisError as exc:
        _print_error(args, exc.as_dict())
        return 2
    if result:
        print(json.dumps(result, indent=2) if args.json else _text(args.command, result))
    return 0


def _text(command: str, result: dict) -> str:
    if command == "demo":
        from sluis.demo import demo_text

        return demo_text(result)
    if command == "init":
        from sluis.cli.init import init_text

        return init_text(result)
    return render(result)


def _print_error(args: argparse.Namespace, body: dict) -> None:
    if args.json:
        print(json.dumps(body), file=sys.stderr)
    else:
        print(f"error: {body['detail']}", file=sys.stderr)
