"""The first commands, kept as aliases: ``createorg``, ``createuser``, ``createtoken``,
``revoketoken`` and ``createsource`` work as before and say which command replaces them."""

import argparse

from sluis.cli.base import add_command, deprecated
from sluis.cli.sources import settings_arguments
from sluis.kinds import kind_names


def cmd_createorg(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_get_or_create

    deprecated(args, "createorg", "org create")
    org = organization_get_or_create(name=args.name)  # idempotent, as it always was
    return {"id": org.pk, "name": org.name}


def cmd_createuser(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_get, token_create, user_create

    deprecated(args, "createuser", "user create")
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
    from sluis.cli.accounts import cmd_token_create

    deprecated(args, "createtoken", "token create")
    result = cmd_token_create(args)
    return {
        "username": result["user"],
        "token": result["token"],
        "expires_at": result["expires_at"],
    }


def cmd_revoketoken(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import tokens_revoke

    deprecated(args, "revoketoken", "token revoke")
    return {"revoked": len(tokens_revoke(prefix=args.prefix))}


def cmd_createsource(args: argparse.Namespace) -> dict:
    from sluis.cli.sources import cmd_source_create

    deprecated(args, "createsource", "source create")
    args.not_uploadable = not args.uploadable  # its old default: not uploadable
    result = cmd_source_create(args)
    return {"data_source": result["id"], "sync_task": result["sync_task"]}


def add_legacy_commands(sub) -> None:
    p = add_command(sub, "createorg", cmd_createorg, "Deprecated: use `sluis org create`.")
    p.add_argument("name", help="organization name")
    p = add_command(sub, "createuser", cmd_createuser, "Deprecated: use `sluis user create`.")
    p.add_argument("username", help="login name")
    p.add_argument("--org", help="organization name")
    p.add_argument("--role", action="append", default=[],
                   choices=["data_supplier", "data_consumer"], help="repeatable")  # fmt: skip
    p.add_argument("--display-name", help="name shown as `uploader`")
    p.add_argument("--password", help="allows signing in to the web pages and admin")
    p.add_argument("--staff", action="store_true", help="platform administrator")
    p = add_command(sub, "createtoken", cmd_createtoken, "Deprecated: use `sluis token create`.")
    p.add_argument("username", help="the user the token acts as")
    p.add_argument("--name", default="cli", help="what the token is for")
    p.add_argument("--expires-days", type=int, help="valid for this many days (never expires)")
    p = add_command(sub, "revoketoken", cmd_revoketoken, "Deprecated: use `sluis token revoke`.")
    p.add_argument("prefix", help="the token's first 8 characters")
    p = add_command(sub, "createsource", cmd_createsource, "Deprecated: use `sluis source create`.")
    p.add_argument("--org", required=True, help="the owner organization's name")
    p.add_argument("--name", required=True, help="unique within the organization")
    p.add_argument("--kind", required=True, choices=kind_names(), help="what it stores")
    p.add_argument("--description", default="", help="shown in the sync task listing")
    p.add_argument("--uploadable", action="store_true", help="accept uploads")
    p.add_argument("--private", action="store_true", help="hidden from other organizations")
    settings_arguments(p)
