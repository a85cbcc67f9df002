"""Validation of a data source's ``ingest_settings`` against its kind's declared keys.

The settings are a JSON object; every key is optional. Each kind declares the keys it reads
(``sluis.kinds.Kind.settings``: types, allowed values, help; listed in docs/formats/). A key the
kind does not read is refused, naming the keys it does read, so that a typo or a key of another
kind never silently does nothing.
"""

import json
import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from sluis.kinds import SettingKey, kind_find


def validate_ingest_settings(value: object) -> None:
    """The field-level check (kept for the migrations): a JSON object."""
    if not isinstance(value, dict):
        raise ValidationError("Ingest settings must be a JSON object.")


def ingest_settings_validate(*, kind: str, value: object) -> None:
    """Every key must be one ``kind`` reads, of its type and among its allowed values."""
    validate_ingest_settings(value)
    declared = kind_find(kind)
    if declared is None:
        return  # the kind field reports an unknown kind
    assert isinstance(value, dict)
    for name, item in value.items():
        key = declared.setting(name)
        if key is None:
            known = ", ".join(sorted(k.name for k in declared.settings)) or "none"
            raise ValidationError(
                f"Unknown ingest setting {name!r} for a {kind} data source; "
                f"known settings: {known}."
            )
        _check(key, item)


def _check(key: SettingKey, item: Any) -> None:
    if not isinstance(item, key.types):
        raise ValidationError(f"Ingest setting {key.name!r} has the wrong type: {key.help}.")
    if key.choices and item not in key.choices:
        allowed = " or ".join(repr(choice) for choice in key.choices)
        raise ValidationError(f"Ingest setting {key.name!r} must be {allowed}, not {item!r}.")
    if key.check is not None:
        try:
            key.check(item)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


def ingest_settings_parse(*, kind: str, pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs (``sluis source create|update --set``) as ingest settings of
    ``kind``: a value is text, or JSON for the keys that hold an object or a list.

    Raises ``ValidationError`` naming the bad key and the keys the kind reads.
    """
    declared = kind_find(kind)
    parsed: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValidationError(f"{pair!r} is not key=value.")
        key = declared.setting(name) if declared else None
        if key is not None and not isinstance(text, key.types):
            try:
                parsed[name] = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValidationError(
                    f"Ingest setting {name!r} takes JSON ({key.help}); {text!r} is not JSON."
                ) from exc
        else:
            parsed[name] = text
    ingest_settings_validate(kind=kind, value=parsed)
    return parsed


def ingest_settings_help(*, kind: str) -> list[dict[str, Any]]:
    """The keys ``kind`` reads, with type, allowed values and help (CLI and admin)."""
    declared = kind_find(kind)
    return [
        {
            "name": key.name,
            "type": "/".join(_TYPE_NAMES.get(t, t.__name__) for t in key.types),
            "choices": list(key.choices),
            "help": key.help,
        }
        for key in (declared.settings if declared else ())
    ]


_TYPE_NAMES = {str: "text", dict: "JSON object", list: "JSON list", int: "integer"}


def ingest_settings_read(*, kind: str, path: Path) -> dict[str, Any]:
    """Ingest settings of ``kind`` from a JSON file, or a TOML file (``.toml``), validated."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"Cannot read {str(path)!r}: {exc}.") from exc
    try:
        value = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        kind_of_file = "TOML" if path.suffix == ".toml" else "JSON"
        raise ValidationError(f"{str(path)!r} is not valid {kind_of_file}: {exc}.") from exc
    ingest_settings_validate(kind=kind, value=value)
    return value
