"""``sluis serve|worker|migrate|demo|manage`` and the maintenance commands
(``upload fail|requeue|reprocess``, ``storage sweep``, ``purge``)."""

import argparse
import logging
import os
from datetime import timedelta

from sluis.cli.base import HelpFormatter, add_command
from sluis.errors import SluisError


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def cmd_serve(args: argparse.Namespace) -> dict:
    from django.conf import settings
    from django.core.management import call_command

    from sluis.ops.gunicorn import SluisServer, server_options

    migrate()
    call_command("collectstatic", interactive=False, verbosity=0)
    options = server_options(
        host=args.host, port=args.port, workers=args.workers, threads=args.threads
    )
    _log_start(args, embedded=settings.SLUIS_SERVE_WORKER)
    if settings.SLUIS_SERVE_WORKER:
        from sluis.ingest.worker import EmbeddedWorker
        from sluis.ops.readiness import check_embedded_worker, readiness_check_add

        worker = EmbeddedWorker()
        readiness_check_add("worker", check_embedded_worker)
        # gunicorn hooks run in its arbiter only, never in the forked web workers
        options["when_ready"] = lambda server: worker.start()
        options["on_exit"] = lambda server: worker.stop()
    SluisServer(options).run()
    return {}


def _log_start(args: argparse.Namespace, *, embedded: bool) -> None:
    """The start-up lines of ``serve``: where it answers, and what to do when run as root."""
    from importlib.metadata import version

    from django.conf import settings

    from sluis.ingest.worker import ROOT_ADVICE, running_as_root

    log = logging.getLogger("sluis.serve")
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host  # noqa: S104
    url = f"http://{host}:{args.port}"
    worker = "the embedded worker" if embedded else "`sluis worker` processes"
    log.info(
        "Sluis %s serving %s/api/v1/ (web %s/login/, admin %s/admin/), uploads processed by "
        "%s; data in %s. Get a token: `sluis demo` or `sluis init`.",
        version("sluis"), url, url, url, worker, settings.DATA_DIR,
    )  # fmt: skip
    if running_as_root():
        log.warning(ROOT_ADVICE)


def cmd_worker(args: argparse.Namespace) -> dict:
    from sluis.ingest.worker import worker_run

    queues = [q.strip() for q in args.queues.split(",") if q.strip()] if args.queues else None
    worker_run(
        concurrency=args.concurrency,
        loglevel=args.loglevel,
        queues=queues,
        pool=args.pool,
        embedded=args.embedded,
    )
    return {}


def cmd_migrate(args: argparse.Namespace) -> dict:
    migrate(verbosity=1)
    return {"migrated": True}


def cmd_demo(args: argparse.Namespace) -> dict:
    from sluis.demo import demo_setup

    migrate()
    return demo_setup(base_url=args.base_url).as_dict()


def cmd_manage(args: argparse.Namespace) -> dict:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sluis manage", *args.arguments])
    return {}


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


def _sweep_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--older-than-minutes",
        type=int,
        default=60,
        help="sweep: only what is at least this old",
    )
    p.add_argument("--dry-run", action="store_true", help="sweep: count, remove nothing")


def _setting(name: str):
    from django.conf import settings

    return getattr(settings, name)


def add_system_commands(sub) -> None:
    p = add_command(
        sub, "serve", cmd_serve, "Apply migrations and serve the API (embedded default)."
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=_setting("SLUIS_PORT"),
                   help="port to listen on (SLUIS_PORT)")  # fmt: skip
    p.add_argument("--workers", type=int, default=int(os.environ.get("SLUIS_WEB_WORKERS", "2")),
                   help="web server processes (SLUIS_WEB_WORKERS)")  # fmt: skip
    p.add_argument("--threads", type=int, default=int(os.environ.get("SLUIS_WEB_THREADS", "8")),
                   help="threads per web process (SLUIS_WEB_THREADS)")  # fmt: skip
    p = add_command(
        sub, "worker", cmd_worker, "Process uploads (Celery worker on SLUIS_BROKER_URL)."
    )
    p.add_argument("--concurrency", type=int,
                   help="processes (default: SLUIS_WORKER_CONCURRENCY)")  # fmt: skip
    p.add_argument("--loglevel", default=os.environ.get("SLUIS_LOG_LEVEL", "INFO"),
                   help="log level (SLUIS_LOG_LEVEL)")  # fmt: skip
    p.add_argument(
        "--queues", help="comma-separated queues (default: SLUIS_QUEUE, SLUIS_NOTIFY_QUEUE)"
    )
    p.add_argument("--pool", choices=["prefork", "threads"], default="prefork",
                   help="threads suits a worker of SLUIS_NOTIFY_QUEUE only "
                        "(webhooks wait on the network)")  # fmt: skip
    p.add_argument("--embedded", action="store_true",
                   help="as started by `sluis serve`: no banner, no connection line")  # fmt: skip
    add_command(sub, "migrate", cmd_migrate, "Apply database migrations.")
    p = add_command(
        sub,
        "upload",
        cmd_upload,
        "Fail a busy upload, requeue a failed or stuck one, or process a finished one again.",
    )
    p.add_argument("action", choices=["fail", "requeue", "reprocess", "sweep"],
                   help="what to do with the upload")  # fmt: skip
    p.add_argument("id", type=int, nargs="?", help="upload id (fail, requeue, reprocess)")
    p.add_argument("--reason", default="", help="why it failed (shown to the supplier)")
    p.add_argument(
        "--force",
        action="store_true",
        help="reprocess: also when a vector data source holds newer data",
    )
    _sweep_arguments(p)
    p = add_command(sub, "storage", cmd_storage, "Remove stored objects nothing refers to.")
    p.add_argument("action", choices=["sweep"], help="sweep: remove unreferenced objects")
    _sweep_arguments(p)
    p = add_command(sub, "purge", cmd_purge, "Remove what is past its retention.")
    p.add_argument("--dry-run", action="store_true", help="count, remove nothing")
    p = add_command(sub, "demo", cmd_demo, "Create (idempotently) a demo organization and sources.")
    p.add_argument("--base-url", default=None,
                   help="URL printed in the examples (default: SLUIS_PUBLIC_URL or the "
                        "address `sluis serve` uses)")  # fmt: skip
    p = sub.add_parser(
        "manage",
        help="Run a Django management command (e.g. createsuperuser).",
        formatter_class=HelpFormatter,
    )
    p.add_argument("arguments", nargs=argparse.REMAINDER, help="the command and its arguments")
    p.set_defaults(handler=cmd_manage, json=False)
