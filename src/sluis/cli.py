"""The ``sluis`` command: serve, manage accounts and data sources, try the demo.

Every command is thin: parse arguments, call one service, print text or ``--json``. The command
handlers import Django and the services inside their bodies, on purpose: ``sluis --help`` and
each command load only what they use (start-up time), not to dodge an import cycle.
"""

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import timedelta

from sluis.errors import SluisError
from sluis.kinds import kind_names
from sluis.text import datetime_text

Handler = Callable[[argparse.Namespace], dict]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sluis.config.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def cmd_serve(args: argparse.Namespace) -> dict:
    from django.conf import settings
    from django.core.management import call_command

    from sluis.ops.gunicorn import SluisServer, server_options

    _migrate()
    call_command("collectstatic", interactive=False, verbosity=0)
    url = f"http://{args.host}:{args.port}"
    log = logging.getLogger("sluis.serve")
    log.info("Sluis is serving at %s/api/v1/  (data in %s)", url, settings.DATA_DIR)
    log.info("Get a token: run `sluis demo` (or `sluis createuser --help`) in another terminal.")
    options = server_options(
        host=args.host, port=args.port, workers=args.workers, threads=args.threads
    )
    if settings.SLUIS_SERVE_WORKER:
        from sluis.ingest.worker import EmbeddedWorker
        from sluis.ops.readiness import check_embedded_worker, readiness_check_add

        log.info("Processing uploads with the embedded worker (no broker server).")
        worker = EmbeddedWorker()
        readiness_check_add("worker", check_embedded_worker)
        # gunicorn hooks run in its arbiter only, never in the forked web workers
        options["when_ready"] = lambda server: worker.start()
        options["on_exit"] = lambda server: worker.stop()
    SluisServer(options).run()
    return {}


def cmd_worker(args: argparse.Namespace) -> dict:
    from sluis.ingest.worker import worker_run

    queues = [q.strip() for q in args.queues.split(",") if q.strip()] if args.queues else None
    worker_run(concurrency=args.concurrency, loglevel=args.loglevel, queues=queues, pool=args.pool)
    return {}


def cmd_migrate(args: argparse.Namespace) -> dict:
    _migrate(verbosity=1)
    return {"migrated": True}


def cmd_createorg(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_get_or_create

    org = organization_get_or_create(name=args.name)
    return {"id": org.pk, "name": org.name}


def cmd_createuser(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_get, token_create, user_create

    user = user_create(
        username=args.username,
        organization=organization_get(name=args.org) if args.org else None,
        display_name=args.display_name or "",
        data_supplier="data_supplier" in args.role,
        data_consumer="data_consumer" in args.role,
        password=args.password,
        is_staff=args.staff,
    )
    issued = token_create(user=user, name="cli")
    return {"id": user.pk, "username": user.username, "token": issued.secret}


def cmd_createtoken(args: argparse.Namespace) -> dict:
    from sluis.accounts.models import User
    from sluis.accounts.services import token_create, token_expiry

    expires = token_expiry(days=args.expires_days)
    user = _user(User, args.username)
    issued = token_create(user=user, name=args.name, expires_at=expires)
    return {
        "username": user.username,
        "token": issued.secret,
        "expires_at": datetime_text(expires),
    }


def cmd_revoketoken(args: argparse.Namespace) -> dict:
    from sluis.accounts.models import ApiToken
    from sluis.accounts.services import token_revoke

    tokens = list(ApiToken.objects.filter(prefix=args.prefix[:8]))
    for token in tokens:
        token_revoke(token=token)
    if not tokens:
        raise SluisError(f"No token starts with {args.prefix[:8]!r}.")
    return {"revoked": len(tokens)}


def cmd_createsource(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_get
    from sluis.catalog.services import data_source_create

    created = data_source_create(
        owner=organization_get(name=args.org),
        name=args.name,
        kind=args.kind,
        description=args.description,
        uploadable=args.uploadable,
        private=args.private,
        ingest_settings=json.loads(args.settings) if args.settings else None,
    )
    return {"data_source": created.data_source.pk, "sync_task": created.sync_task.pk}


def cmd_upload(args: argparse.Namespace) -> dict:
    from sluis.uploads.administration import (
        upload_fail_by_administrator,
        upload_reprocess,
        upload_requeue,
    )

    if args.action == "sweep":  # the older name of `sluis storage sweep`
        return cmd_storage(args)
    if args.id is None:
        raise SluisError(f"'sluis upload {args.action}' needs an upload id.")
    if args.action == "fail":
        upload = upload_fail_by_administrator(upload_id=args.id, reason=args.reason)
    elif args.action == "reprocess":
        upload = upload_reprocess(upload_id=args.id, force=args.force)
        return {"id": upload.pk, "status": upload.status, "reprocess_of": upload.reprocess_of_id}
    else:
        upload = upload_requeue(upload_id=args.id)
    return {"id": upload.pk, "status": upload.status, "failure_reason": upload.failure_reason}


def cmd_storage(args: argparse.Namespace) -> dict:
    from sluis.maintenance.services import storage_sweep

    older_than = timedelta(minutes=args.older_than_minutes)
    return storage_sweep(older_than=older_than, dry_run=args.dry_run).as_dict()


def cmd_purge(args: argparse.Namespace) -> dict:
    from sluis.maintenance.services import retention_purge

    return retention_purge(dry_run=args.dry_run).as_dict()


def cmd_source_versions(args: argparse.Namespace) -> dict:
    from sluis.datastore.vector.services import vector_versions_list

    versions = vector_versions_list(data_source_id=args.id)
    return {"data_source": args.id, "versions": [_version(v) for v in versions]}


def cmd_source_restore(args: argparse.Namespace) -> dict:
    from sluis.datastore.vector.services import vector_version_restore

    version = vector_version_restore(data_source_id=args.id, version_id=args.version)
    return {"data_source": args.id, "current_version": _version(version)}


def _version(version) -> dict:
    return {
        "id": version.pk,
        "state": version.state,
        "features": version.feature_count,
        "upload": version.upload_id,
        "published": datetime_text(version.published),
        "retired_at": datetime_text(version.retired_at),
    }


def cmd_source_export(args: argparse.Namespace) -> dict:
    from pathlib import Path

    from sluis.transfer.services import source_export, source_export_file

    if args.output != "-":
        return source_export_file(data_source_id=args.id, path=Path(args.output))
    result = source_export(data_source_id=args.id, target=sys.stdout.buffer)
    sys.stdout.buffer.flush()
    print(json.dumps(result) if args.json else _text("source", result), file=sys.stderr)
    return {}  # standard output holds the archive


def cmd_source_import(args: argparse.Namespace) -> dict:
    from pathlib import Path

    from sluis.transfer.services import archive_spooled, source_import

    if args.path != "-":
        return source_import(path=Path(args.path), organization=args.org, name=args.name)
    with archive_spooled(sys.stdin.buffer) as path:
        return source_import(path=path, organization=args.org, name=args.name)


def cmd_webhook(args: argparse.Namespace) -> dict:
    from sluis.accounts.models import User
    from sluis.notifications import cli

    if args.action == "create":
        user = _user(User, args.user)
        return cli.webhook_create(user=user, url=args.url, source=args.source, events=args.event)
    if args.action == "list":
        return cli.webhooks_list(username=args.user)
    if args.id is None:
        raise SluisError(f"'sluis webhook {args.action}' needs a webhook id.")
    return cli.webhook_action(action=args.action, webhook_id=args.id)


def cmd_mail(args: argparse.Namespace) -> dict:
    from sluis.notifications import cli

    if args.action == "summary":
        return cli.summary_send(day=args.day, force=args.force)
    if args.action in ("subscribe", "unsubscribe"):
        return cli.summary_subscription(
            organization=args.target, recipients=args.to, subscribe=args.action == "subscribe"
        )
    if not (args.target or "").isdigit():
        raise SluisError("'sluis mail failures' needs a data source id.")
    return cli.failure_recipients_set(data_source_id=int(args.target), recipients=args.to)


def cmd_demo(args: argparse.Namespace) -> dict:
    from sluis.demo import demo_setup

    _migrate()
    return demo_setup(base_url=args.base_url).as_dict()


def cmd_manage(args: argparse.Namespace) -> dict:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sluis manage", *args.arguments])
    return {}


def _user(model, username: str):
    user = model.objects.filter(username=username).first()
    if user is None:
        raise SluisError(f"No user is named {username!r}.")
    return user


def _text(command: str, result: dict) -> str:
    if command == "demo":
        from sluis.demo import demo_text

        return demo_text(result)
    return "\n".join(_lines(result))


def _lines(result: dict, indent: str = "") -> list[str]:
    lines = []
    for key, value in result.items():
        if isinstance(value, dict):
            lines += [f"{indent}{key}:", *_lines(value, indent + "  ")]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{indent}{key}:")
            lines += [indent + "  - " + ", ".join(f"{k}: {v}" for k, v in i.items()) for i in value]
        else:
            lines.append(f"{indent}{key}: {value}")
    return lines


def _sweep_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--older-than-minutes",
        type=int,
        default=60,
        help="sweep: only what is at least this old",
    )
    p.add_argument("--dry-run", action="store_true", help="sweep: count, remove nothing")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sluis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="print the result as JSON")
        p.set_defaults(handler=handler)
        return p

    p = add("serve", cmd_serve, "Apply migrations and serve the API (embedded default).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=int(os.environ.get("SLUIS_PORT", "8000")))
    p.add_argument("--workers", type=int, default=int(os.environ.get("SLUIS_WEB_WORKERS", "2")))
    p.add_argument("--threads", type=int, default=int(os.environ.get("SLUIS_WEB_THREADS", "8")))
    p = add("worker", cmd_worker, "Process uploads (Celery worker on SLUIS_BROKER_URL).")
    p.add_argument("--concurrency", type=int, help="processes (SLUIS_WORKER_CONCURRENCY)")
    p.add_argument("--loglevel", default=os.environ.get("SLUIS_LOG_LEVEL", "INFO"))
    p.add_argument(
        "--queues",
        help="comma-separated queues (default: SLUIS_QUEUE and SLUIS_NOTIFY_QUEUE)",
    )
    p.add_argument(
        "--pool",
        choices=["prefork", "threads"],
        default="prefork",
        help="threads suits a worker of SLUIS_NOTIFY_QUEUE only (webhooks wait on the network)",
    )
    add("migrate", cmd_migrate, "Apply database migrations.")
    p = add("createorg", cmd_createorg, "Create an organization (idempotent).")
    p.add_argument("name")
    p = add("createuser", cmd_createuser, "Create a user and print a new API token.")
    p.add_argument("username")
    p.add_argument("--org", help="organization name")
    p.add_argument(
        "--role",
        action="append",
        default=[],
        choices=["data_supplier", "data_consumer"],
        help="repeatable",
    )
    p.add_argument("--display-name")
    p.add_argument("--password", help="allows signing in to the web pages and admin")
    p.add_argument("--staff", action="store_true", help="platform administrator")
    p = add("createtoken", cmd_createtoken, "Issue a new API token for a user (shown once).")
    p.add_argument("username")
    p.add_argument("--name", default="cli")
    p.add_argument("--expires-days", type=int, help="valid for this many days (at least 1)")
    p = add("revoketoken", cmd_revoketoken, "Revoke tokens by their first 8 characters.")
    p.add_argument("prefix")
    p = add("createsource", cmd_createsource, "Create a data source and its sync task.")
    p.add_argument("--org", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--kind", required=True, choices=kind_names())
    p.add_argument("--description", default="")
    p.add_argument("--uploadable", action="store_true")
    p.add_argument("--private", action="store_true")
    p.add_argument("--settings", help="ingest settings as a JSON object")
    p = add(
        "upload",
        cmd_upload,
        "Fail a busy upload, requeue a failed or stuck one, or process a finished one again.",
    )
    p.add_argument("action", choices=["fail", "requeue", "reprocess", "sweep"])
    p.add_argument("id", type=int, nargs="?", help="upload id (fail, requeue, reprocess)")
    p.add_argument("--reason", default="", help="why it failed (shown to the supplier)")
    p.add_argument(
        "--force",
        action="store_true",
        help="reprocess: also when a vector data source holds newer data",
    )
    _sweep_arguments(p)
    p = add("storage", cmd_storage, "Remove stored objects and spool files nothing refers to.")
    p.add_argument("action", choices=["sweep"])
    _sweep_arguments(p)
    p = add(
        "purge", cmd_purge, "Remove originals, error reports and vector versions past retention."
    )
    p.add_argument("--dry-run", action="store_true", help="count, remove nothing")
    _add_source_commands(sub)
    p = add("webhook", cmd_webhook, "List, register, enable, disable or remove webhooks.")
    p.add_argument(
        "action", choices=["list", "create", "deliveries", "enable", "disable", "delete"]
    )
    p.add_argument("id", type=int, nargs="?", help="webhook id (deliveries, enable, ...)")
    p.add_argument("--user", help="create: the owner (username); list: only theirs")
    p.add_argument("--url", help="create: the https:// URL")
    p.add_argument(
        "--source",
        type=int,
        help="create: one data source id (default: all of the owner's organization)",
    )
    p.add_argument("--event", action="append", help="create: an event (repeatable; default all)")
    p = add("mail", cmd_mail, "Send the daily summaries, or set who gets e-mail.")
    p.add_argument("action", choices=["summary", "subscribe", "unsubscribe", "failures"])
    p.add_argument(
        "target",
        nargs="?",
        help="subscribe/unsubscribe: organization name; failures: data source id",
    )
    p.add_argument("--to", action="append", default=[], help="an address (repeatable)")
    p.add_argument("--day", help="summary: the UTC day YYYY-MM-DD (default: yesterday)")
    p.add_argument("--force", action="store_true", help="summary: send a day sent before")
    p = add("demo", cmd_demo, "Create (idempotently) a demo organization, users and sources.")
    p.add_argument("--base-url", default=None, help="URL printed in the examples")
    p = sub.add_parser("manage", help="Run a Django management command (e.g. createsuperuser).")
    p.add_argument("arguments", nargs=argparse.REMAINDER)
    p.set_defaults(handler=cmd_manage, json=False)
    return parser


def _add_source_commands(sub) -> None:
    """``sluis source export|import`` move or back up one data source (docs/formats/export.md);
    ``sluis source versions|restore-version`` undo a vector replace (docs/operations.md)."""
    group = sub.add_parser(
        "source", help="Export or import a data source; list or restore kept vector versions."
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="print the result as JSON")
        p.set_defaults(handler=handler)
        return p

    p = action("export", cmd_source_export, "Write one data source and its data to a ZIP archive.")
    p.add_argument("id", type=int, help="data source id")
    p.add_argument("--output", "-o", required=True, help="archive path, or - for standard output")
    p = action("import", cmd_source_import, "Create a new data source from an export archive.")
    p.add_argument("path", help="archive path, or - for standard input")
    p.add_argument("--org", required=True, help="organization that will own the data source")
    p.add_argument("--name", help="name of the new data source (default: the exported name)")
    p = action("versions", cmd_source_versions, "List a vector data source's kept versions.")
    p.add_argument("id", type=int, help="data source id")
    p = action("restore-version", cmd_source_restore, "Make a kept vector version current again.")
    p.add_argument("id", type=int, help="data source id")
    p.add_argument("version", type=int, help="the version id (see `sluis source versions`)")


def main(argv: list[str] | None = None) -> int:
    _setup_django()  # first: the kind apps register the kinds that ``--kind`` offers
    args = build_parser().parse_args(argv)
    try:
        result = args.handler(args)
    except SluisError as exc:
        _print_error(args, exc.as_dict())
        return 2
    if result:
        print(json.dumps(result, indent=2) if args.json else _text(args.command, result))
    return 0


def _print_error(args: argparse.Namespace, body: dict) -> None:
    if args.json:
        print(json.dumps(body), file=sys.stderr)
    else:
        print(f"error: {body['detail']}", file=sys.stderr)
