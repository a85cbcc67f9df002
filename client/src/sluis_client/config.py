"""Where the command line finds the server URL and the token.

Each comes from, in order: the command-line option (``--url``, ``--token``), the environment
(``SLUIS_URL``, ``SLUIS_TOKEN``), then the user's config file, a TOML file with ``url`` and
``token`` keys. The file is ``$SLUIS_CONFIG`` if set, else ``%APPDATA%\\sluis\\config.toml`` on
Windows and ``$XDG_CONFIG_HOME/sluis/config.toml`` (``~/.config/sluis/config.toml``) elsewhere.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sluis_client.errors import ConfigurationError


@dataclass(frozen=True)
class Settings:
    url: str
    token: str | None
    config_file: Path


def config_path(environ: Mapping[str, str] | None = None, platform: str = sys.platform) -> Path:
    """The user config file's path (it need not exist)."""
    environ = os.environ if environ is None else environ
    if environ.get("SLUIS_CONFIG"):
        return Path(environ["SLUIS_CONFIG"])
    if platform == "win32":
        base = environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    else:
        base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "sluis" / "config.toml"


def read_config(path: Path) -> dict[str, str]:
    """The ``url`` and ``token`` of the config file; ``{}`` if there is no file."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"Cannot read the config file {path}: {exc}") from exc
    return {key: str(data[key]) for key in ("url", "token") if data.get(key)}


def resolve_settings(
    *,
    url: str | None,
    token: str | None,
    config_file: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The URL and token the command will use; ``ConfigurationError`` if there is no URL."""
    environ = os.environ if environ is None else environ
    path = Path(config_file) if config_file else config_path(environ)
    stored = read_config(path)
    final_url = url or environ.get("SLUIS_URL") or stored.get("url")
    if not final_url:
        raise ConfigurationError(
            f'No Sluis URL: pass --url, set SLUIS_URL, or put url = "..." in {path}.'
        )
    final_token = token or environ.get("SLUIS_TOKEN") or stored.get("token") or None
    return Settings(url=final_url, token=final_token, config_file=path)
