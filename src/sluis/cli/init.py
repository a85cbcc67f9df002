"""``sluis init``: an organization, a supplier with a token and a data source in one step.

Non-interactive with flags (every answer given), interactive on a terminal (asks what is
missing). Prints the curl command and web login to use; all or nothing.
"""

import argparse
import sys

from sluis.cli.base import add_command
from sluis.cli.sources import settings_arguments
from sluis.errors import SluisError
from sluis.kinds import kind_names

QUESTIONS = [
    ("org", "Organization name"),
    ("username", "Supplier username"),
    ("kind", f"Kind of data ({'/'.join(kind_names())})"),
    ("source", "Data source name"),
]


def cmd_init(args: argparse.Namespace) -> dict:
    from django.db import transaction

    _ask_missing(args)
    with transaction.atomic():
        return _init(args)


def _ask_missing(args: argparse.Namespace) -> None:
    missing = [(name, text) for name, text in QUESTIONS if not getattr(args, name)]
    if missing and (args.no_input or not sys.stdin.isatty()):
        flags = ", ".join(f"--{name}" for name, _ in missing)
        raise SluisError(f"sluis init needs {flags} (or run it on a terminal to be asked).")
    for name, text in missing:
        answer = input(f"{text}: ").strip()
        if not answer:
            raise SluisError(f"{text} is required; nothing was created.")
        setattr(args, name, answer)
    if args.kind not in kind_names():
        raise SluisError(f"Unknown kind {args.kind!r}; choose one of {', '.join(kind_names())}.")


def _init(args: argparse.Namespace) -> dict:
    from sluis.accounts.models import Organization
    from sluis.accounts.services import (
        organization_create,
        token_create,
        user_create,
        user_password_set,
    )
    from sluis.catalog.services import data_source_create
    from sluis.cli.sources import _settings
    from sluis.demo import default_base_url

    org = Organization.objects.filter(name=args.org).first() or organization_create(name=args.org)
    user = user_create(
        username=args.username, organization=org, data_supplier=True, data_consumer=True
    )
    if args.password:
        user_password_set(user=user, password=args.password)
    created = data_source_create(
        owner=org, name=args.source, kind=args.kind,
        ingest_settings=_settings(args, args.kind),
    )  # fmt: skip
    base = args.base_url or default_base_url()
    return {
        "organization": org.name,
        "username": user.username,
        "token": token_create(user=user, name="init").secret,
        "data_source": created.data_source.pk,
        "sync_task": created.sync_task.pk,
        "ingest_settings": created.data_source.ingest_settings,
        "upload_url": f"{base}/api/v1/sync_tasks/{created.sync_task.pk}/upload/",
        "web_login": f"{base}/login/" if args.password else None,
    }


def init_text(result: dict) -> str:
    url, token = result["upload_url"], result["token"]
    lines = [
        f"Organization: {result['organization']}",
        f"Supplier:     {result['username']}",
        f"Token:        {token}  (shown only now)",
        f"Data source:  {result['data_source']}, sync task {result['sync_task']}",
        "",
        "Upload a file:",
        f'  curl -F "upload_file=@data.csv" "{url}?token={token}"',
    ]
    if result["web_login"]:
        lines.append(f"Web login: {result['web_login']} as {result['username']}")
    else:
        lines.append(f"Web login: set a password with `sluis user password {result['username']}`")
    return "\n".join(lines)


def add_init_command(sub) -> None:
    p = add_command(sub, "init", cmd_init, "Set up an organization, a supplier and a data source.")
    p.add_argument("--org", help="organization name (created unless it exists)")
    p.add_argument("--username", help="the new supplier's username")
    p.add_argument("--password", help="the supplier's web password (min. 8 characters)")
    p.add_argument("--kind", choices=kind_names(), help="kind of the new data source")
    p.add_argument("--source", help="name of the new data source")
    settings_arguments(p)
    p.add_argument("--base-url", help="URL printed in the curl command (SLUIS_PUBLIC_URL)")
    p.add_argument("--no-input", action="store_true", help="never ask; fail on what is missing")
