"""Every kind a ``datastore/<kind>/`` app declares provides everything Sluis derives from it, and
the derived tables (choices, CLI, settings validation, transfer, sweep, previews) follow it."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from sluis.catalog.ingest_settings import ingest_settings_validate
from sluis.catalog.models import DataSource
from sluis.cli import build_parser
from sluis.formats.registry import format_get, formats_read_by, reader_for
from sluis.kinds import Kind, kind_get, kind_names
from sluis.maintenance.services import references
from sluis.transfer.archive import kind_folders

DATASTORE_APPS = [app for app in apps.get_app_configs() if app.name.startswith("sluis.datastore.")]
KINDS = [kind_get(name) for name in ("timeseries", "vector", "raster", "file")]


def test_every_datastore_app_declares_and_registers_one_kind():
    declared = {app.module.__name__: app for app in DATASTORE_APPS}
    assert len(declared) == 4
    for app in DATASTORE_APPS:
        module = __import__(f"{app.name}.kind", fromlist=["KIND"])
        assert isinstance(module.KIND, Kind)
        assert kind_get(module.KIND.name) is module.KIND


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_every_kind_provides_everything(kind):
    assert kind.label and kind.archive_folder.endswith("/") and kind.preview
    assert kind.exporter is not None and kind.importer is not None
    assert kind.formats and kind.formats == formats_read_by(kind.name)
    for name in kind.formats:
        assert format_get(name).description
        assert callable(reader_for(name, kind.name))
    names = [key.name for key in kind.settings]
    assert "on_error" in names and len(names) == len(set(names))
    for key in kind.settings:
        assert key.types and key.help
    for prefix, referenced in kind.stored_objects.items():
        assert prefix and callable(referenced)


def test_the_kind_choices_the_cli_and_the_tables_follow_the_registry():
    names = set(kind_names())
    assert {value for value, _ in DataSource._meta.get_field("kind").choices} == names
    createsource = build_parser()._subparsers._group_actions[0].choices["createsource"]
    kind_option = next(a for a in createsource._actions if a.dest == "kind")
    assert set(kind_option.choices) == names
    # a plugin kind without an exporter (the engine tests' ``sluis-test``) is not transferable
    assert set(kind_folders()) == {kind.name for kind in KINDS}
    assert {"originals", "reports", "rasters", "files"} <= set(references())


def test_a_setting_of_another_kind_is_refused_with_the_keys_this_kind_reads():
    with pytest.raises(ValidationError) as caught:
        ingest_settings_validate(kind="vector", value={"timezone": "UTC"})
    message = caught.value.messages[0]
    assert "Unknown ingest setting 'timezone' for a vector data source" in message
    assert "layer" in message and "geometry_columns" in message


def test_settings_are_checked_against_their_declared_values():
    ingest_settings_validate(kind="raster", value={"timezone": "Europe/Amsterdam"})
    with pytest.raises(ValidationError, match="must be 'repair' or 'reject'"):
        ingest_settings_validate(kind="vector", value={"invalid_geometry": "fix"})
    with pytest.raises(ValidationError, match="Unknown time zone"):
        ingest_settings_validate(kind="file", value={"timezone": "Mars/Olympus"})
    with pytest.raises(ValidationError, match="wrong type"):
        ingest_settings_validate(kind="timeseries", value={"columns": "timestamp"})
