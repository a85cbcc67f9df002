"""Validation of a data source's ``ingest_settings`` against its kind's declared keys.

The settings are a JSON object; every key is optional. Each kind declares the keys it reads
(``sluis.kinds.Kind.settings``: types, allowed values, help; listed in docs/formats/). A key the
kind does not read is refused, naming the keys it does read, so that a typo or a key of another
kind never silently does nothing.
"""

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
        raise ValidationError(f"Ingest setting {key.name!r} has the wrong type ({key.help}).")
    if key.choices and item not in key.choices:
        allowed = " or ".join(repr(choice) for choice in key.choices)
        raise ValidationError(f"Ingest setting {key.name!r} must be {allowed}.")
    if key.check is not None:
        try:
            key.check(item)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
