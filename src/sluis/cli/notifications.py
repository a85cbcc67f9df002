"""``sluis webhook …`` and ``sluis mail …``: the notifications app's commands (its ``cli``
module holds the logic)."""

import argparse

from sluis.cli.base import add_command
from sluis.errors import SluisError


def cmd_webhook(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import user_get
    from sluis.notifications import cli

    if args.action == "create":
        user = user_get(username=args.user or "")
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


def add_notification_commands(sub) -> None:
    p = add_command(
        sub, "webhook", cmd_webhook, "List, register, enable, disable or remove webhooks."
    )
    p.add_argument(
        "action",
        choices=["list", "create", "deliveries", "enable", "disable", "delete"],
        help="what to do",
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
    p = add_command(sub, "mail", cmd_mail, "Send the daily summaries, or set who gets e-mail.")
    p.add_argument(
        "action", choices=["summary", "subscribe", "unsubscribe", "failures"], help="what to do"
    )
    p.add_argument(
        "target",
        nargs="?",
        help="subscribe/unsubscribe: organization name; failures: data source id",
    )
    p.add_argument("--to", action="append", default=[], help="an address (repeatable)")
    p.add_argument("--day", help="summary: the UTC day YYYY-MM-DD (default: yesterday)")
    p.add_argument("--force", action="store_true", help="summary: send a day sent before")
