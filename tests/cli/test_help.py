"""Help text, ``--version`` and the old command names."""

import argparse
from importlib.metadata import version

import pytest

from sluis.accounts.models import Organization
from sluis.cli import build_parser, main


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, (*path, name))


def test_every_option_of_every_command_has_help_text():
    missing = [
        (" ".join(path), action.dest)
        for path, parser in _parsers(build_parser())
        for action in parser._actions
        if not action.help and not isinstance(action, argparse._SubParsersAction)
    ]
    assert missing == []


def test_help_shows_defaults_and_no_markup(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    top = capsys.readouterr().out
    assert "``" not in top and "org" in top and "grant" in top
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    assert "(default: 8000)" in capsys.readouterr().out


def test_version_prints_the_installed_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"sluis {version('sluis')}"


@pytest.mark.django_db
def test_old_commands_still_work_and_name_their_replacement(cli, org):
    out, err = cli.text("createorg", "Polder")
    assert "`sluis org create`" in err and Organization.objects.filter(name="Polder").exists()
    out, err = cli.text("createsource", "--org", "Polder", "--name", "S", "--kind", "file")
    assert "`sluis source create`" in err and "--uploadable" in err and "sync_task" in out


@pytest.mark.django_db
def test_an_unknown_role_or_kind_is_refused_by_the_parser_with_the_choices(capsys, org):
    with pytest.raises(SystemExit) as exit_info:
        main(["user", "create", "x", "--role", "boss"])
    assert exit_info.value.code == 2
    assert "choose from 'supplier', 'consumer', 'staff'" in capsys.readouterr().err
