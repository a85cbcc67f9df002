"""Gunicorn, run in-process by ``sluis serve``; its logs go through Sluis's logging setup."""

import logging

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from sluis.config.logging import redact
from sluis.ops.middleware import USER_ID_KEY, client_address, request_id

access_logger = logging.getLogger("sluis.access")


class _StartupNoise(logging.Filter):
    """Gunicorn's start-up chatter: ``sluis serve`` logs one line saying where it answers."""

    NOISE = ("Starting gunicorn", "Listening at:", "Using worker:", "Booting worker with pid")

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.NOISE)


class SluisLogger(Logger):
    """Gunicorn's logs through the root handler (``SLUIS_LOG_FORMAT``, tokens redacted) and one
    access line per request with structured fields; the path is logged without its query."""

    def setup(self, cfg):
        self.cfg = cfg
        self._access_log_enabled = True
        self.loglevel = self.LOG_LEVELS.get(cfg.loglevel.lower(), logging.INFO)
        self.error_log.setLevel(self.loglevel)
        self.error_log.addFilter(_StartupNoise())
        for log in (self.error_log, self.access_log):
            for handler in list(log.handlers):
                log.removeHandler(handler)
            log.propagate = True

    def access(self, resp, req, environ, request_time):
        fields = access_fields(resp, req, environ, request_time)
        access_logger.info(
            "%s %s %s",
            fields["method"],
            fields["path"],
            fields["status"],
            extra={**fields, "_in_message": ("method", "path", "status")},
        )


def access_fields(resp, req, environ, request_time) -> dict:
    return {
        "request_id": request_id(environ),
        "method": environ.get("REQUEST_METHOD", ""),
        "path": redact(getattr(req, "path", "") or environ.get("PATH_INFO", "")),
        "status": _status(resp),
        "duration_ms": round(request_time.total_seconds() * 1000, 1),
        "bytes": getattr(resp, "sent", 0) or 0,
        "user_id": environ.get(USER_ID_KEY),
        "client": client_address(environ),
        "user_agent": environ.get("HTTP_USER_AGENT", ""),
    }


def _status(resp) -> int | None:
    """The status code; gunicorn's own error responses set only the status line."""
    if getattr(resp, "status_code", None):
        return resp.status_code
    head = str(getattr(resp, "status", "") or "").split(" ", 1)[0]
    return int(head) if head.isdigit() else None


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
    from django.conf import settings

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
        "loglevel": settings.LOG_LEVEL.lower(),
        "logger_class": "sluis.ops.gunicorn.SluisLogger",
        # gunicorn's runtime control socket (~/.gunicorn/gunicorn.ctl by default) is shared by
        # every server of a user on one machine and lets anyone with access reconfigure it;
        # Sluis is managed through its supervisor, never through that socket.
        "control_socket_disable": True,
    }
