"""``sluis source|task|grant …``: data sources with their kind, flags and ingest settings, their
sync tasks, and grants of upload rights to users of other organizations; plus moving a source
(export/import), undoing a vector replace (versions/restore-version) and the PostGIS view of a
vector source (postgis-view)."""

import argparse
import json
import sys
from pathlib import Path

from sluis.cli.base import add_command, add_group, render, warn
from sluis.kinds import kind_names
from sluis.text import datetime_text


def source_row(source) -> dict:
    return {
        "id": source.pk,
        "name": source.name,
        "owner": source.owner.name,
        "kind": source.kind,
        "uploadable": source.uploadable,
        "private": source.private,
        "ingest_settings": source.ingest_settings,
    }


def task_row(task) -> dict:
    return {
        "id": task.pk,
        "name": task.name,
        "owner": task.owner.name,
        "task_type": task.task_type,
        "data_source": task.data_source_id,
        "uploadable": task.uploadable,
        "private": task.is_private,
    }


def cmd_source_list(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_get
    from sluis.catalog.services import data_sources_list

    owner = organization_get(name=args.org) if args.org else None
    return {"data_sources": [source_row(s) for s in data_sources_list(owner=owner)]}


def cmd_source_show(args: argparse.Namespace) -> dict:
    from sluis.catalog.services import data_source_get, grants_list, sync_tasks_list

    source = data_source_get(pk=args.id)
    return {
        **source_row(source),
        "description": source.description,
        "created": datetime_text(source.created),
        "sync_tasks": [t.pk for t in sync_tasks_list(data_source=source)],
        "granted_suppliers": [u.username for _, u in grants_list(data_source=source)],
    }


def cmd_source_create(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_get
    from sluis.catalog.services import data_source_create

    created = data_source_create(
        owner=organization_get(name=args.org),
        name=args.name,
        kind=args.kind,
        description=args.description,
        uploadable=not args.not_uploadable,
        private=args.private,
        ingest_settings=_settings(args, args.kind),
    )
    source = created.data_source
    _note_not_uploadable(source)
    return {**source_row(source), "sync_task": created.sync_task.pk}


def _note_not_uploadable(source) -> None:
    if not source.uploadable:
        warn(
            f"data source {source.pk} is not uploadable: uploads are refused (not_uploadable) "
            f"until `sluis source update {source.pk} --uploadable`."
        )


def cmd_source_update(args: argparse.Namespace) -> dict:
    from sluis.catalog.services import data_source_get, data_source_update

    source = data_source_get(pk=args.id)
    kind = args.kind or source.kind
    updated = data_source_update(
        data_source=source,
        name=args.name,
        description=args.description,
        kind=args.kind,
        uploadable=args.uploadable,
        private=args.private,
        ingest_settings=_settings(args, kind),
        unset=tuple(args.unset),
        replace_settings=args.replace_settings,
    )
    _note_not_uploadable(updated)
    return source_row(updated)


def _settings(args: argparse.Namespace, kind: str) -> dict:
    """Ingest settings from ``--settings-file``, ``--settings`` JSON and ``--set`` (in that
    order, later ones winning), validated against ``kind``."""
    from django.core.exceptions import ValidationError

    from sluis.catalog.errors import InvalidIngestSettings
    from sluis.catalog.ingest_settings import (
        ingest_settings_parse,
        ingest_settings_read,
        ingest_settings_validate,
    )

    settings: dict = {}
    try:
        if args.settings_file:
            settings.update(ingest_settings_read(kind=kind, path=Path(args.settings_file)))
        if args.settings:
            settings.update(_json_object(args.settings))
        settings.update(ingest_settings_parse(kind=kind, pairs=args.set))
        ingest_settings_validate(kind=kind, value=settings)
    except ValidationError as exc:
        raise InvalidIngestSettings(" ".join(exc.messages)) from exc
    return settings


def _json_object(text: str) -> dict:
    from django.core.exceptions import ValidationError

    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"--settings is not JSON: {exc}.") from exc
    if not isinstance(value, dict):
        raise ValidationError("--settings must be a JSON object.")
    return value


def cmd_source_delete(args: argparse.Namespace) -> dict:
    from sluis.catalog.services import data_source_delete, data_source_get

    data_source_delete(data_source=data_source_get(pk=args.id))
    return {"deleted": args.id}


def cmd_source_settings(args: argparse.Namespace) -> dict:
    from sluis.catalog.ingest_settings import ingest_settings_help

    return {"settings": ingest_settings_help(kind=args.kind)}


def cmd_task_list(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import organization_get
    from sluis.catalog.services import data_source_get, sync_tasks_list

    owner = organization_get(name=args.org) if args.org else None
    source = data_source_get(pk=args.source) if args.source else None
    return {"sync_tasks": [task_row(t) for t in sync_tasks_list(owner=owner, data_source=source)]}


def cmd_task_show(args: argparse.Namespace) -> dict:
    from sluis.catalog.services import sync_task_get

    task = sync_task_get(pk=args.id)
    return {**task_row(task), "created": datetime_text(task.created)}


def cmd_grant_list(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import user_get
    from sluis.catalog.services import data_source_get, grants_list

    source = data_source_get(pk=args.source) if args.source else None
    user = user_get(username=args.user) if args.user else None
    return {"grants": [_grant_row(s, u) for s, u in grants_list(data_source=source, user=user)]}


def _grant_row(source, user) -> dict:
    return {
        "data_source": source.pk,
        "data_source_name": source.name,
        "owner": source.owner.name,
        "user": user.username,
        "user_organization": user.organization.name if user.organization else None,
    }


def cmd_grant_create(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import user_get
    from sluis.catalog.services import data_source_get, grant_add

    source, user = data_source_get(pk=args.source), user_get(username=args.username)
    grant_add(data_source=source, user=user)
    if not source.uploadable:
        _note_not_uploadable(source)
    return _grant_row(source, user)


def cmd_grant_delete(args: argparse.Namespace) -> dict:
    from sluis.accounts.services import user_get
    from sluis.catalog.services import data_source_get, grant_remove

    source, user = data_source_get(pk=args.source), user_get(username=args.username)
    grant_remove(data_source=source, user=user)
    return {"revoked": _grant_row(source, user)}


def cmd_source_export(args: argparse.Namespace) -> dict:
    from sluis.transfer.services import source_export, source_export_file

    if args.output != "-":
        return source_export_file(data_source_id=args.id, path=Path(args.output))
    result = source_export(data_source_id=args.id, target=sys.stdout.buffer)
    sys.stdout.buffer.flush()
    print(json.dumps(result) if args.json else render(result), file=sys.stderr)
    return {}  # standard output holds the archive


def cmd_source_import(args: argparse.Namespace) -> dict:
    from sluis.transfer.services import archive_spooled, source_import

    if args.path != "-":
        return source_import(path=Path(args.path), organization=args.org, name=args.name)
    with archive_spooled(sys.stdin.buffer) as path:
        return source_import(path=path, organization=args.org, name=args.name)


def cmd_source_versions(args: argparse.Namespace) -> dict:
    from sluis.datastore.vector.services import vector_versions_list

    versions = vector_versions_list(data_source_id=args.id)
    return {"data_source": args.id, "versions": [_version(v) for v in versions]}


def cmd_source_restore(args: argparse.Namespace) -> dict:
    from sluis.datastore.vector.services import vector_version_restore

    version = vector_version_restore(data_source_id=args.id, version_id=args.version)
    return {"data_source": args.id, "current_version": _version(version)}


def cmd_source_postgis_view(args: argparse.Namespace) -> dict:
    from sluis.datastore.vector.postgis import postgis_view_create

    view = postgis_view_create(data_source_id=args.id, grant_to=args.grant)
    return {"data_source": args.id, "view": view, "granted_to": args.grant}


def _version(version) -> dict:
    return {
        "id": version.pk,
        "state": version.state,
        "features": version.feature_count,
        "upload": version.upload_id,
        "published": datetime_text(version.published),
        "retired_at": datetime_text(version.retired_at),
    }


def settings_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="an ingest setting (JSON for object/list keys); repeatable; "
                        "`sluis source settings KIND` lists the keys")  # fmt: skip
    p.add_argument(
        "--settings-file", metavar="FILE", help="ingest settings in a JSON or .toml file"
    )
    p.add_argument("--settings", metavar="JSON", help="ingest settings as a JSON object")


def add_source_commands(sub) -> None:
    _source_commands(add_group(sub, "source", "Manage data sources (and export/import them)."))
    tasks = add_group(sub, "task", "List or show sync tasks (the upload URL's id).")
    p = add_command(tasks, "list", cmd_task_list, "List sync tasks.")
    p.add_argument("--org", help="only this organization's sync tasks")
    p.add_argument("--source", type=int, help="only this data source's sync tasks")
    p = add_command(tasks, "show", cmd_task_show, "Show a sync task.")
    p.add_argument("id", type=int, help="sync task id")
    _grant_commands(add_group(sub, "grant", "Let users of other organizations upload to a source."))


def _source_commands(group) -> None:
    p = add_command(group, "list", cmd_source_list, "List data sources.")
    p.add_argument("--org", help="only this organization's data sources")
    p = add_command(group, "show", cmd_source_show, "Show a data source, its tasks and grants.")
    p.add_argument("id", type=int, help="data source id")
    p = add_command(group, "create", cmd_source_create, "Create a data source and its sync task.")
    p.add_argument("--org", required=True, help="the owner organization's name")
    p.add_argument("--name", required=True, help="unique within the organization")
    p.add_argument("--kind", required=True, choices=kind_names(), help="what it stores")
    p.add_argument("--description", default="", help="shown in the sync task listing")
    p.add_argument("--not-uploadable", action="store_true", help="refuse uploads for now")
    p.add_argument("--private", action="store_true", help="hidden from other organizations")
    settings_arguments(p)
    p = add_command(group, "update", cmd_source_update, "Change a data source (what is given).")
    p.add_argument("id", type=int, help="data source id")
    p.add_argument("--name", help="new name (its sync task follows)")
    p.add_argument("--description", help="new description")
    p.add_argument("--kind", choices=kind_names(), help="new kind (only before the first upload)")
    p.add_argument("--uploadable", action=argparse.BooleanOptionalAction,
                   help="accept uploads (--no-uploadable: refuse them)")  # fmt: skip
    p.add_argument("--private", action=argparse.BooleanOptionalAction,
                   help="hidden from other organizations (--no-private: public)")  # fmt: skip
    settings_arguments(p)
    p.add_argument("--unset", action="append", default=[], metavar="KEY",
                   help="remove an ingest setting; repeatable")  # fmt: skip
    p.add_argument("--replace-settings", action="store_true",
                   help="the given settings replace the current ones (default: merge)")  # fmt: skip
    p = add_command(group, "delete", cmd_source_delete, "Delete a data source without uploads.")
    p.add_argument("id", type=int, help="data source id")
    p = add_command(group, "settings", cmd_source_settings, "List a kind's ingest settings.")
    p.add_argument("kind", choices=kind_names(), help="kind of data source")
    _transfer_commands(group)


def _transfer_commands(group) -> None:
    p = add_command(group, "export", cmd_source_export, "Write a data source to a ZIP archive.")
    p.add_argument("id", type=int, help="data source id")
    p.add_argument("--output", "-o", required=True, help="archive path, or - for standard output")
    p = add_command(group, "import", cmd_source_import, "Create a data source from an archive.")
    p.add_argument("path", help="archive path, or - for standard input")
    p.add_argument("--org", required=True, help="organization that will own the data source")
    p.add_argument("--name", help="name of the new data source (default: the exported name)")
    p = add_command(group, "versions", cmd_source_versions, "List a vector source's versions.")
    p.add_argument("id", type=int, help="data source id")
    p = add_command(group, "restore-version", cmd_source_restore, "Restore a vector version.")
    p.add_argument("id", type=int, help="data source id")
    p.add_argument("version", type=int, help="the version id (see `sluis source versions`)")
    p = add_command(
        group, "postgis-view", cmd_source_postgis_view, "PostgreSQL: a vector source's view."
    )
    p.add_argument("id", type=int, help="data source id")
    p.add_argument("--grant", help="a read-only role that gets SELECT on the view")


def _grant_commands(group) -> None:
    p = add_command(group, "list", cmd_grant_list, "List grants.")
    p.add_argument("--source", type=int, help="only this data source's grants")
    p.add_argument("--user", help="only this user's grants")
    p = add_command(group, "create", cmd_grant_create, "Allow a user to upload to a source.")
    p.add_argument("source", type=int, help="data source id")
    p.add_argument("username", help="the user (usually of another organization)")
    p = add_command(group, "delete", cmd_grant_delete, "Withdraw a user's upload grant.")
    p.add_argument("source", type=int, help="data source id")
    p.add_argument("username", help="the user")
