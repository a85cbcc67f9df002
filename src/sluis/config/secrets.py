"""The embedded default's secret key: made once, kept in the data folder."""

import secrets
from pathlib import Path


def embedded_secret_key(data_dir: Path) -> str:
    """Return the secret key stored in ``data_dir``, creating it (mode 0600) on first use.

    Production deployments set ``SLUIS_SECRET_KEY``; the embedded default must work with no
    variable at all and keep signed download links valid across restarts, so it persists one.
    """
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.touch(mode=0o600)
    path.write_text(key)
    return key
