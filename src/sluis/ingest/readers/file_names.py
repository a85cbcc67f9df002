"""Names of stored files: the sanitised matching key, and timestamps read from original names.

Plain Python, no Django. ``name_sanitise`` is the files kind's own sanitiser (the uploads app
has one for upload names; the two follow the same rule and may be unified).
"""

import hashlib
import re
from datetime import datetime

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
MAX_NAME_LENGTH = 200
MAX_EXTENSION_LENGTH = 16


def name_sanitise(name: str) -> str:
    """The key a file is stored and overwritten under: ``[A-Za-z0-9._-]+``, at most 200 chars.

    Only the last path part counts (zip members arrive as ``folder/photo.jpg``). Characters
    outside ``A-Z a-z 0-9 - . _`` are dropped, as the Nexus page says. A name whose stem
    sanitises to nothing (``""``, ``".."``, ``"中文.jpg"``) gets ``file-<hash>`` with the
    extension kept; the hash is of the original name, so uploading the same name again
    overwrites the same file. Long names are cut with the extension kept. Idempotent.
    """
    base = re.split(r"[\\/]", name)[-1]
    clean = _UNSAFE.sub("", base)
    stem, dot, extension = clean.rpartition(".")
    if not dot:
        stem, extension = clean, ""
    if len(extension) > MAX_EXTENSION_LENGTH:
        stem, extension = clean, ""
    if not stem.strip("."):
        return _generated(name, extension)
    if len(clean) <= MAX_NAME_LENGTH:
        return clean
    suffix = f".{extension}" if dot and extension else ""
    return stem[: MAX_NAME_LENGTH - len(suffix)] + suffix


def _generated(name: str, extension: str) -> str:
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"file-{digest}.{extension}" if extension.strip(".") else f"file-{digest}"


class PatternError(ValueError):
    """The data source's ``filename_pattern`` cannot be used; the message says why."""


# strptime directives a filename pattern may use, and the text each one matches.
_DIRECTIVES = {
    "Y": r"\d{4}",
    "y": r"\d{2}",
    "m": r"\d{1,2}",
    "d": r"\d{1,2}",
    "H": r"\d{1,2}",
    "M": r"\d{1,2}",
    "S": r"\d{1,2}",
    "f": r"\d{1,6}",
    "j": r"\d{1,3}",
    "b": r"[A-Za-z]{3,9}",
    "B": r"[A-Za-z]{3,9}",
    "p": r"[AaPp][Mm]",
    "z": r"(?:Z|[+-]\d{2}:?\d{2})",
    "%": "%",
}
_PLACEHOLDER = re.compile(r"\{timestamp:([^{}]+)\}")


class FilenamePattern:
    """``evaporation_{timestamp:%Y-%m-%d}.tif``: literal text, ``*``/``?`` wildcards and one
    ``{timestamp:<strptime format>}`` placeholder. Matching ignores letter case."""

    def __init__(self, pattern: str):
        found = _PLACEHOLDER.findall(pattern)
        if len(found) != 1:
            raise PatternError(
                f"filename_pattern {pattern!r} must contain exactly one "
                "'{timestamp:<format>}' placeholder, e.g. 'photo_{timestamp:%Y%m%d}.jpg'."
            )
        self.format = found[0]
        before, after = _PLACEHOLDER.split(pattern)[0], _PLACEHOLDER.split(pattern)[-1]
        regex = _literal(before) + f"(?P<ts>{_format_regex(self.format)})" + _literal(after)
        self._regex = re.compile(regex, re.IGNORECASE)

    def timestamp(self, name: str) -> datetime | None:
        """The timestamp in ``name`` (naive unless the format has ``%z``), or None if the name
        does not match. Raises PatternError when the name matches but is no valid date."""
        base = re.split(r"[\\/]", name)[-1]
        match = self._regex.fullmatch(base)
        if match is None:
            return None
        try:
            return datetime.strptime(match["ts"].replace("Z", "+0000"), self.format)
        except ValueError as exc:
            raise PatternError(f"{match['ts']!r} is not a valid {self.format!r} time.") from exc


def _literal(text: str) -> str:
    return "".join(".*?" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


def _format_regex(fmt: str) -> str:
    parts, index = [], 0
    while index < len(fmt):
        char = fmt[index]
        if char != "%":
            parts.append(re.escape(char))
            index += 1
            continue
        directive = fmt[index + 1 : index + 2]
        if directive not in _DIRECTIVES:
            raise PatternError(f"filename_pattern directive '%{directive}' is not supported.")
        parts.append(_DIRECTIVES[directive])
        index += 2
    return "".join(parts)
