"""``sluis_client.__all__`` is the public API: complete, importable and documented."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import sluis_client

CLIENT_DOCS = Path(__file__).resolve().parents[2] / "docs" / "client.md"


def public_names() -> set[str]:
    """What the package itself offers: every public attribute that is not a submodule."""
    return {
        name
        for name, value in vars(sluis_client).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }


def test_every_public_name_of_the_package_is_exported() -> None:
    assert public_names() == set(sluis_client.__all__) - {"__version__"}


def test_every_exported_name_is_importable_from_the_package() -> None:
    namespace: dict[str, object] = {}
    exec(f"from sluis_client import {', '.join(sluis_client.__all__)}", namespace)  # noqa: S102

    assert all(namespace[name] is getattr(sluis_client, name) for name in sluis_client.__all__)


def test_all_lists_each_name_once() -> None:
    assert len(sluis_client.__all__) == len(set(sluis_client.__all__))


def test_every_exported_name_is_documented_in_the_client_reference() -> None:
    documented = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)", CLIENT_DOCS.read_text("utf-8")))

    assert set(sluis_client.__all__) - documented == set()


def test_the_version_is_the_distributions() -> None:
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text("utf-8")

    assert f'version = "{sluis_client.__version__}"' in pyproject
