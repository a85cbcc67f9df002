"""Query parameters of the raster API. A bad value is a 400 naming it, never ignored."""

from sluis.errors import InvalidParameter


def optional_int(params, name: str) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidParameter(f"'{name}' must be a whole number, not {raw!r}.") from None


def required_int(params, name: str) -> int:
    value = optional_int(params, name)
    if value is None:
        raise InvalidParameter(f"'{name}' is required.")
    return value


def coordinate(params, name: str, limit: float) -> float:
    raw = params.get(name)
    if raw in (None, ""):
        raise InvalidParameter(f"'{name}' is required (WGS84 degrees).")
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not -limit <= value <= limit:
        raise InvalidParameter(
            f"'{name}' must be a number of degrees within ±{limit}, not {raw!r}."
        )
    return value


def bounded_int(params, name: str, default: int, low: int, high: int) -> int:
    value = optional_int(params, name)
    if value is None:
        return default
    if not low <= value <= high:
        raise InvalidParameter(f"'{name}' must be between {low} and {high}, not {value}.")
    return value
