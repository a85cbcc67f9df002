"""``sluis org|user|token …``: organizations, people with their roles and passwords, tokens."""

import argparse
import getpass
import secrets
import sys

from sluis.cli.base import add_command, add_group, warn
from sluis.errors import SluisError
from sluis.text import datetime_text

ROLES = ("supplier", "consumer", "staff")


def org_row(org) -> dict:
    return {
        "id": org.pk,
        "name": org.name,
        "users": getattr(org, "user_count", None),
        "data_sources": getattr(org, "data_source_count", None),
        "created": datetime_text(org.created),
    }


def user_row(user) -> dict:
    roles = [r for r, on in zip(ROLES, _flags(user), strict=True) if on]
    return {
        "id": user.pk,
        "username": user.username,
        "organization": user.organization.name if user.organization else None,
        "display_name": user.display_name,
        "roles": roles,
        "active": user.is_active,
        "can_sign_in": user.has_usable_password(),
    }


def _flags(user) -> tuple[bool, bool, bool]:
    return user.is_data_supplier, user.is_data_consumer, user.is_staff


def token_row(token) -> dict:
    return {
        "prefix": token.prefix,
        "user": token.user.username,
        "name": token.name,
        "created": datetime_text(token.created),
        "expires_at": datetime_text(token.expires_at),
        "last_used_at": datetime_text(token.last_used_at),
        "active": token.is_active,
    }


def cmd_org_list(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organizations_list

    return {"organizations": [org_row(o) for o in organizations_list()]}


def cmd_org_show(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_get, users_list
    from sluis.catalog.services import data_sources_list

    org = organization_get(name=args.name)
    return {
        **org_row(org),
        "users": [user_row(u) for u in users_list(organization=org)],
        "data_sources": [
            {"id": s.pk, "name": s.name, "kind": s.kind, "uploadable": s.uploadable}
            for s in data_sources_list(owner=org)
        ],
    }


def cmd_org_create(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_create

    return org_row(organization_create(name=args.name))


def cmd_org_update(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_rename

    return org_row(organization_rename(name=args.name, new_name=args.new_name))


def cmd_org_delete(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_delete

    organization_delete(name=args.name)
    return {"deleted": args.name}


def cmd_user_list(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_get, users_list

    org = organization_get(name=args.org) if args.org else None
    return {"users": [user_row(u) for u in users_list(organization=org)]}


def cmd_user_show(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import tokens_list, user_get
    from sluis.catalog.services import grants_list

    user = user_get(username=args.username)
    return {
        **user_row(user),
        "tokens": [token_row(t) for t in tokens_list(user=user)],
        "granted_data_sources": [s.pk for s, _ in grants_list(user=user)],
    }


def cmd_user_create(args: argparse.Namespace) -> dict:
    from django.db import transaction

    with transaction.atomic():  # a refused password leaves no user behind
        return _user_create(args)


def _user_create(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_get, token_create, user_create

    roles = set(args.role)
    user = user_create(
        username=args.username,
        organization=organization_get(name=args.org) if args.org else None,
        display_name=args.display_name,
        data_supplier="supplier" in roles,
        data_consumer="consumer" in roles,
        is_staff="staff" in roles,
    )
    result = user_row(user)
    if args.password is not None:
        _password_set(user, args.password)
        result["can_sign_in"] = True
    if not args.no_token:
        result["token"] = token_create(user=user, name="cli").secret
    if not roles:
        warn("the user has no role: add one with `sluis user update --add-role supplier|consumer`")
    return result


def cmd_user_update(args: argparse.Namespace) -> dict:
    from sluis.accounts.models import Organization
    from sluis.accounts.services import organization_get, user_get, user_update

    user = user_get(username=args.username)
    given: dict[str, Organization | None] = {"organization": None} if args.no_org else {}
    if args.org:
        given["organization"] = organization_get(name=args.org)
    roles = dict(zip(ROLES, _flags(user), strict=True))
    roles.update({r: True for r in args.add_role} | {r: False for r in args.remove_role})
    user = user_update(
        user=user,
        display_name=args.display_name,
        data_supplier=roles["supplier"],
        data_consumer=roles["consumer"],
        is_staff=roles["staff"],
        is_active=args.active,
        **given,
    )
    return user_row(user)


def cmd_user_password(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import user_get, user_password_set

    user = user_get(username=args.username)
    if args.unset:
        user_password_set(user=user, password=None)
        return {"username": user.username, "can_sign_in": False}
    password = args.password
    if args.generate:
        password = secrets.token_urlsafe(12)
    elif password is None:
        password = _prompt_password()
    _password_set(user, password)
    result = {"username": user.username, "can_sign_in": True}
    return {**result, "password": password} if args.generate else result


def _password_set(user, password: str) -> None:
    from sluis.accounts.services import user_password_set

    user_password_set(user=user, password=password)


def _prompt_password() -> str:
    if not sys.stdin.isatty():
        raise SluisError("Give --password TEXT or --generate (no terminal to ask on).")
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Again: "):
        raise SluisError("The two passwords differ; nothing was changed.")
    return first


def cmd_user_delete(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import user_delete, user_get

    user_delete(user=user_get(username=args.username))
    return {"deleted": args.username}


def cmd_token_list(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import tokens_list, user_get

    user = user_get(username=args.user) if args.user else None
    return {"tokens": [token_row(t) for t in tokens_list(user=user, include_inactive=args.all)]}


def cmd_token_create(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import token_create, token_expiry, user_get

    user = user_get(username=args.username)
    expires = token_expiry(days=args.expires_days)
    issued = token_create(user=user, name=args.name, expires_at=expires)
    return {**token_row(issued.token), "token": issued.secret}


def cmd_token_revoke(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import tokens_revoke

    return {"revoked": [t.prefix for t in tokens_revoke(prefix=args.prefix)]}


def cmd_token_rotate(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import token_rotate

    issued, old = token_rotate(prefix=args.prefix)
    return {**token_row(issued.token), "token": issued.secret, "revoked": [t.prefix for t in old]}


def add_account_commands(sub) -> None:
    _org_commands(add_group(sub, "org", "List, show, create, rename or delete organizations."))
    _user_commands(add_group(sub, "user", "Manage users: roles, organization, password."))
    _token_commands(add_group(sub, "token", "Issue, list, rotate or revoke API tokens."))


def _org_commands(group) -> None:
    add_command(group, "list", cmd_org_list, "List organizations with their counts.")
    p = add_command(group, "show", cmd_org_show, "Show an organization, its users and sources.")
    p.add_argument("name", help="organization name")
    p = add_command(group, "create", cmd_org_create, "Create an organization.")
    p.add_argument("name", help="organization name, shown as `owner` in the API")
    p = add_command(group, "update", cmd_org_update, "Rename an organization.")
    p.add_argument("name", help="current organization name")
    p.add_argument("--name", dest="new_name", required=True, help="the new name")
    p = add_command(
        group, "delete", cmd_org_delete, "Delete an organization without users/sources."
    )
    p.add_argument("name", help="organization name")


def _user_commands(group) -> None:
    p = add_command(group, "list", cmd_user_list, "List users with their roles.")
    p.add_argument("--org", help="only the users of this organization")
    p = add_command(group, "show", cmd_user_show, "Show a user, their tokens and grants.")
    p.add_argument("username", help="the user's username")
    p = add_command(group, "create", cmd_user_create, "Create a user and print a new API token.")
    p.add_argument("username", help="login name (letters, digits and @.+-_)")
    p.add_argument("--org", help="organization name (the user uploads to/reads its sources)")
    p.add_argument("--role", action="append", default=[], choices=ROLES,
                   help="supplier: uploads; consumer: reads data back; staff: administrator; "
                        "repeatable")  # fmt: skip
    p.add_argument("--display-name", default="", help="name shown as `uploader`")
    p.add_argument("--password", help="lets the user sign in to the web pages (min. 8 chars)")
    p.add_argument("--no-token", action="store_true", help="do not issue an API token")
    p = add_command(group, "update", cmd_user_update, "Change a user's roles or organization.")
    p.add_argument("username", help="the user's username")
    p.add_argument("--org", help="move the user to this organization")
    p.add_argument("--no-org", action="store_true", help="remove the user's organization")
    p.add_argument("--add-role", action="append", default=[], choices=ROLES,
                   help="give a role; repeatable")  # fmt: skip
    p.add_argument("--remove-role", action="append", default=[], choices=ROLES,
                   help="take a role away; repeatable")  # fmt: skip
    p.add_argument("--display-name", help="name shown as `uploader`")
    p.add_argument("--active", action=argparse.BooleanOptionalAction,
                   help="--no-active blocks the user's sign-in and tokens")  # fmt: skip
    p = add_command(group, "password", cmd_user_password, "Set or reset a user's password.")
    p.add_argument("username", help="the user's username")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--password", help="the new password (asked twice on a terminal if absent)")
    how.add_argument("--generate", action="store_true", help="make and print a random password")
    how.add_argument("--unset", action="store_true", help="remove the password (no sign-in)")
    p = add_command(group, "delete", cmd_user_delete, "Delete a user and their tokens.")
    p.add_argument("username", help="the user's username")


def _token_commands(group) -> None:
    p = add_command(group, "list", cmd_token_list, "List tokens (never their secret).")
    p.add_argument("--user", help="only this user's tokens")
    p.add_argument("--all", action="store_true", help="also revoked and expired tokens")
    p = add_command(group, "create", cmd_token_create, "Issue a token (shown once).")
    p.add_argument("username", help="the user the token acts as")
    p.add_argument("--name", default="cli", help="what the token is for")
    p.add_argument("--expires-days", type=int, help="valid for this many days (never expires)")
    p = add_command(group, "rotate", cmd_token_rotate, "Replace a token: issue a new, revoke it.")
    p.add_argument("prefix", help="the token's first 8 characters (see `sluis token list`)")
    p = add_command(group, "revoke", cmd_token_revoke, "Revoke tokens by first 8 characters.")
    p.add_argument("prefix", help="the token's first 8 characters (see `sluis token list`)")
