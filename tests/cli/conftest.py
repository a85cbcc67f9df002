import json

import pytest

from sluis.cli import main


class Cli:
    """Runs ``sluis`` in-process: ``ok`` expects success, ``fails`` an error (exit 2)."""

    def __init__(self, capsys):
        self.capsys = capsys

    def run(self, *argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def ok(self, *argv: str) -> dict:
        code, out, err = self.run(*argv, "--json")
        assert code == 0, err
        return json.loads(out) if out else {}

    def text(self, *argv: str) -> tuple[str, str]:
        code, out, err = self.run(*argv)
        assert code == 0, err
        return out, err

    def fails(self, *argv: str) -> str:
        """The error message; also checks the JSON error body has a stable code."""
        code, out, err = self.run(*argv)
        assert code == 2 and out == "" and err.startswith("error: "), (code, out, err)
        assert "__all__" not in err and "``" not in err
        code, _, err_json = self.run(*argv, "--json")
        assert code == 2 and json.loads(err_json)["code"]
        return err


@pytest.fixture
def cli(capsys):
    return Cli(capsys)
