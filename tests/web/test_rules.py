"""A data source's rules in words: the keys, help texts and allowed values are the kind registry's
(``sluis.kinds``), so a setting a kind gains shows on its page without touching the web app."""

from dataclasses import replace

import pytest
from django.utils import translation

from sluis.kinds import DELIMITER, ON_ERROR, SettingKey, kind_get, kind_register
from sluis.web.rules import source_rules

DUTCH_STYLE = {
    "columns": {"location": "meetpunt", "timestamp": "datum", "value": "waarde"},
    "delimiter": ";",
    "decimal": ",",
    "timezone": "Europe/Amsterdam",
}


def rules_of(kind, settings):
    return {rule.topic: rule.text for rule in source_rules(kind=kind, settings=settings)}


def test_every_line_is_a_setting_the_kind_declares_under_its_registry_help_text():
    rules = rules_of("timeseries", DUTCH_STYLE)
    helps = {key.help for key in kind_get("timeseries").settings}
    assert set(rules) - {"Formats"} <= helps
    assert rules[DELIMITER.help] == "semicolon (;)"
    assert rules[kind_get("timeseries").setting("decimal").help] == "comma (1,25)"
    assert rules[kind_get("timeseries").setting("columns").help].startswith("meetpunt, ")
    assert "Europe/Amsterdam local time" in rules[kind_get("timeseries").setting("timezone").help]


def test_an_unset_delimiter_names_every_allowed_sign_from_the_registry():
    text = rules_of("vector", {})[DELIMITER.help]
    assert text == "detected from the header (comma, semicolon, tab, vertical bar)"
    assert len(DELIMITER.choices) == 4


def test_the_error_policy_reads_its_default_from_the_allowed_values():
    assert rules_of("raster", {})[ON_ERROR.help] == (
        "any problem refuses the whole file; nothing is stored"
    )
    skipping = rules_of("raster", {"on_error": "skip_invalid_rows"})[ON_ERROR.help]
    assert skipping == "bad rows are skipped and reported; the good rows are stored"


def test_a_key_a_kind_gains_shows_its_value_under_its_help_text():
    original = kind_get("file")
    extra = SettingKey("camera", (str,), "camera make expected in the photos")
    kind_register(replace(original, settings=(*original.settings, extra)))
    try:
        rules = rules_of("file", {"camera": "Nikon"})
        assert rules["camera make expected in the photos"] == "Nikon"
        assert "camera make expected in the photos" not in rules_of("file", {})
    finally:
        kind_register(original)


@pytest.mark.parametrize("kind", ["timeseries", "vector", "raster", "file"])
def test_on_a_dutch_page_every_line_of_the_rules_is_dutch(kind):
    english = rules_of(kind, DUTCH_STYLE if kind == "timeseries" else {})
    with translation.override("nl"):
        dutch = rules_of(kind, DUTCH_STYLE if kind == "timeseries" else {})
    assert len(dutch) == len(english)
    assert not set(dutch) & (set(english) - {"Formats"})
