"""What every command shares: the parser helpers (help with defaults, ``--json``), Django
set-up and the output (plain lines, tables for lists, JSON for scripts)."""

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

Handler = Callable[[argparse.Namespace], dict]


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Adds ``(default: X)`` to an option's help when it has a meaningful default."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        shown = default not in (None, False, "", [], argparse.SUPPRESS) and action.option_strings
        if shown and "default" not in text:
            text += f" (default: {default})"
        return text


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sluis.config.settings")
    import django

    django.setup()


def add_command(sub, name: str, handler: Handler, help_text: str, **kw) -> argparse.ArgumentParser:
    """A sub-command with ``--json`` and help text that shows defaults."""
    p = sub.add_parser(
        name, help=help_text, description=help_text, formatter_class=HelpFormatter, **kw
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=handler)
    return p


def add_group(sub, name: str, help_text: str):
    """A resource group (``sluis org …``) whose actions are added with ``add_command``."""
    group = sub.add_parser(
        name, help=help_text, description=help_text, formatter_class=HelpFormatter
    )
    return group.add_subparsers(dest="action", required=True, metavar="ACTION")


def warn(text: str) -> None:
    """A note for people, on standard error (never mixed into ``--json`` output)."""
    print(f"note: {text}", file=sys.stderr)


def deprecated(args: argparse.Namespace, old: str, new: str) -> None:
    """Says which command replaces ``old`` (not with ``--json``: its standard error is JSON)."""
    if not args.json:
        print(f"warning: `sluis {old}` is deprecated; use `sluis {new}`.", file=sys.stderr)


def render(result: dict[str, Any]) -> str:
    """Text for people: a table for a result that is one list of rows, else ``key: value``."""
    if len(result) == 1:
        (value,) = result.values()
        if isinstance(value, list) and (not value or isinstance(value[0], dict)):
            return table(value) if value else "(none)"
    return "\n".join(_lines(result))


def table(rows: list[dict[str, Any]]) -> str:
    columns = list(rows[0])
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "-"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _lines(result: dict, indent: str = "") -> list[str]:
    lines = []
    for key, value in result.items():
        if isinstance(value, dict) and value:
            lines += [f"{indent}{key}:", *_lines(value, indent + "  ")]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{indent}{key}:")
            lines += [indent + "  - " + ", ".join(f"{k}: {_cell(v)}" for k, v in i.items())
                      for i in value]  # fmt: skip
        else:
            lines.append(f"{indent}{key}: {_cell(value)}")
    return lines
