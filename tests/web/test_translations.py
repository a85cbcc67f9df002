"""The Dutch catalogue is complete: every marked string is translated, and none is missing.

Extraction is Django's own ``makemessages`` (xgettext, Debian's gettext: a test-only package) run
on a copy of the web app, so a string marked for translation but absent from the committed
catalogue fails here; the browser test (test_browser_dutch.py) catches unmarked English.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import sluis.web

WEB = Path(sluis.web.__file__).parent
CATALOGUES = WEB / "locale" / "nl" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")


def catalogue(domain: str, root: Path = WEB):
    with open(root / "locale" / "nl" / "LC_MESSAGES" / f"{domain}.po", "rb") as handle:
        return read_po(handle)


def ids(cat) -> set:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in cat if m.id}


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_in_the_dutch_catalogue_is_translated(domain):
    untranslated = [
        m.id
        for m in catalogue(domain)
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert untranslated == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_marked_string_of_the_pages_is_in_the_dutch_catalogue(domain, tmp_path):
    copy = tmp_path / "web"
    shutil.copytree(WEB, copy, ignore=shutil.ignore_patterns("vendor", "__pycache__", "*.mo"))
    (copy / "locale" / "nl" / "LC_MESSAGES" / f"{domain}.po").unlink()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sluis.config.settings"}
    # django-admin, not ``python -m django``: the copy's selectors.py would shadow the stdlib's
    admin = str(Path(sys.executable).parent / "django-admin")
    command = [admin, "makemessages", "-l", "nl", "-d", domain, "-i", "static/web/vendor/*"]
    subprocess.run(command, cwd=copy, env=env, check=True, capture_output=True)
    missing = ids(catalogue(domain, copy)) - ids(catalogue(domain))
    assert missing == set(), f"add these to {CATALOGUES}/{domain}.po: {sorted(map(str, missing))}"


def test_every_setting_help_text_of_the_kinds_is_in_the_dutch_catalogue():
    """The rules on a source's page are the kind registry's help texts, translated at run time
    (web/rules.py): extraction cannot find them, so this test names the ones to add."""
    from sluis.kinds import kinds_all

    translated = {m.id: m.string for m in catalogue("django") if m.id and m.string}
    helps = {key.help for kind in kinds_all() for key in kind.settings}
    missing = sorted(helps - set(translated))
    assert missing == [], f"add these to {CATALOGUES}/django.po: {missing}"
