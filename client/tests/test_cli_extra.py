"""The library works without rich; ``sluis-upload`` needs the ``cli`` extra and says so."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Runs Python with rich made unimportable, as in an install without the ``cli`` extra.
WITHOUT_RICH = "import sys; sys.modules['rich'] = None\n"


def python_without_rich(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_RICH + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_library_imports_and_works_without_rich() -> None:
    done = python_without_rich(
        """
        import sluis_client, sluis_client.client, sluis_client.cli, sluis_client.transport
        from sluis_client import Client
        with Client("https://sluis.test") as sluis:
            print(sluis.base_url)
        loaded = [n for n, m in sys.modules.items() if m is not None and n.startswith("rich")]
        print(loaded)
        """
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["https://sluis.test/api/v1/", "[]"]


def test_sluis_upload_without_rich_says_how_to_install_the_extra_and_exits_2() -> None:
    done = python_without_rich(
        """
        from sluis_client.cli import main
        raise SystemExit(main(["tasks", "--url", "https://sluis.test"]))
        """
    )

    assert done.returncode == 2
    assert "needs the 'cli' extra" in done.stderr
    assert "pip install 'sluis-client[cli]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_sluis_upload_help_works_without_rich() -> None:
    done = python_without_rich(
        """
        from sluis_client.cli import main
        main(["--help"])
        """
    )

    assert done.returncode == 0
    assert "usage: sluis-upload" in done.stdout
