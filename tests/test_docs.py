"""The documentation stays true to the code."""

import importlib
import pkgutil
import re
from pathlib import Path

import sluis
from sluis.errors import SluisError
from sluis.formats.registry import formats_all

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _import_all_modules():
    for module in pkgutil.walk_packages(sluis.__path__, "sluis."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)


def test_every_error_code_is_documented(db):
    _import_all_modules()
    text = "".join(path.read_text() for path in DOCS.rglob("*.md"))
    codes = {cls.code for cls in _all_subclasses(SluisError)}
    assert sorted(c for c in codes if f"`{c}`" not in text) == []


def test_every_setting_read_from_the_environment_is_in_the_configuration_table():
    settings_source = (Path(sluis.__file__).parent / "config" / "settings.py").read_text()
    variables = set(re.findall(r'"(SLUIS_[A-Z0-9_]+)"', settings_source))
    table = (DOCS / "configuration.md").read_text()
    assert sorted(v for v in variables if f"`{v}`" not in table) == []


def test_the_repository_cites_no_file_outside_it():
    """Code, tests and docs state facts themselves or link inside the repository: design notes
    kept elsewhere are not shipped, so a reader could not follow the reference."""
    root = DOCS.parent
    outside = re.compile(
        r"\b(?:PRODUCT|SECURITY|BENCHMARKS|ARCHITECTURE)\.md\b|docs/formats\.md|\.\./shared/"
    )
    texts = [root / "README.md", *(root / "bench").rglob("*.md"), *DOCS.rglob("*.md")]
    for folder in ("src", "tests", "client", "deploy", "bench"):
        texts += [p for p in (root / folder).rglob("*.py") if ".venv" not in p.parts]
    cited = [
        f"{path.relative_to(root)}:{number}"
        for path in texts
        if path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if outside.search(line)
    ]
    assert cited == []


def test_the_format_registry_page_names_every_registered_format_and_its_readers():
    table = (DOCS / "formats" / "registry.md").read_text()
    lines = [line for line in table.splitlines() if line.startswith("| `")]
    rows = {line.split("|")[1].strip(): line for line in lines}
    for fmt in formats_all():
        row = rows.get(f"`{fmt.name}`")
        assert row is not None, f"docs/formats/registry.md does not name {fmt.name}"
        assert all(f"`{kind}`" in row.split("|")[5] for kind in fmt.readers), row
