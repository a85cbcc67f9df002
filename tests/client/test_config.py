"""Where ``sluis-upload`` finds its URL and token: option, environment, then config file."""

from pathlib import Path

import pytest

from sluis_client.config import config_path, resolve_settings
from sluis_client.errors import ConfigurationError


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_options_beat_environment_beats_config_file(tmp_path):
    config = _write(tmp_path / "c.toml", 'url = "http://file"\ntoken = "file-token"\n')
    env = {"SLUIS_URL": "http://env", "SLUIS_TOKEN": "env-token"}
    both = resolve_settings(url="http://flag", token="flag", config_file=str(config), environ=env)
    assert (both.url, both.token) == ("http://flag", "flag")
    from_env = resolve_settings(url=None, token=None, config_file=str(config), environ=env)
    assert (from_env.url, from_env.token) == ("http://env", "env-token")
    from_file = resolve_settings(url=None, token=None, config_file=str(config), environ={})
    assert (from_file.url, from_file.token) == ("http://file", "file-token")


def test_the_default_config_file_is_per_user_and_per_platform(tmp_path):
    linux = config_path({"XDG_CONFIG_HOME": "/home/s/.config"}, platform="linux")
    assert linux == Path("/home/s/.config/sluis/config.toml")
    windows = config_path({"APPDATA": r"C:\Users\s\AppData\Roaming"}, platform="win32")
    assert windows == Path(r"C:\Users\s\AppData\Roaming") / "sluis" / "config.toml"
    assert config_path({"SLUIS_CONFIG": "/etc/sluis.toml"}) == Path("/etc/sluis.toml")


def test_the_config_file_is_found_without_options(tmp_path):
    _write(tmp_path / "sluis" / "config.toml", 'url = "http://file"\ntoken = "t"\n')
    settings = resolve_settings(url=None, token=None, environ={"XDG_CONFIG_HOME": str(tmp_path)})
    assert (settings.url, settings.token) == ("http://file", "t")


def test_no_url_anywhere_says_where_to_put_one(tmp_path):
    with pytest.raises(ConfigurationError, match="SLUIS_URL"):
        resolve_settings(url=None, token="t", environ={"XDG_CONFIG_HOME": str(tmp_path)})


def test_a_broken_config_file_is_a_clear_error(tmp_path):
    config = _write(tmp_path / "c.toml", "url = \n")
    with pytest.raises(ConfigurationError, match=r"c\.toml"):
        resolve_settings(url=None, token=None, config_file=str(config), environ={})
