"""Gunicorn, run in-process by ``sluis serve``, with tokens redacted from access logs."""

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from sluis.config.logging import redact

ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


class RedactingLogger(Logger):
    """Gunicorn's logger with ``?token=`` values removed from the request line and query."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "q", "U", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


class SluisServer(BaseApplication):
    """The WSGI app served by gunicorn with the options given (see docs/operations.md)."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from sluis.config.wsgi import application

        return application


def server_options(*, host: str, port: int, workers: int, threads: int) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # A 500 MB upload over a slow line takes minutes; the proxy bounds slow clients.
        "timeout": 600,
        "graceful_timeout": 30,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": "sluis.config.gunicorn.RedactingLogger",
    }
