"""Gunicorn, run in-process by ``sluis serve``; its logs go through Sluis's logging setup."""

import json
import logging
from datetime import datetime

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.http import errors as http_errors
from gunicorn.http.wsgi import Response, default_environ
from gunicorn.workers.gthread import ThreadWorker

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


# Threads of each web process that never receive an upload body (see receive_slots_limit).
RESERVED_THREADS = 2


class SluisThreadWorker(ThreadWorker):
    """gunicorn's threaded worker answering malformed HTTP with Sluis's JSON error body.

    gunicorn refuses bad framing itself (a Content-Length that is not digits or is repeated, one
    sent with chunked, stacked or unknown transfer codings) before Django sees the request, and
    answers with an HTML page. Here the same refusals carry ``{"detail", "code"}`` like every
    other error of the API; the connection is closed, since its framing cannot be trusted.
    ``identity, chunked``, which gunicorn lets through, is refused the same way: the only
    transfer coding of a request Sluis reads is ``chunked`` alone. Upload bodies are received
    in at most ``threads - RESERVED_THREADS`` threads at once, so slow clients never take all.
    """

    def init_process(self):
        from sluis.uploads.receiving import receive_slots_limit

        receive_slots_limit(self.cfg.threads - RESERVED_THREADS)
        super().init_process()

    def load_wsgi(self):
        super().load_wsgi()
        app = getattr(self, "wsgi")  # noqa: B009 (gunicorn's attribute, untyped)
        self.wsgi = closing_on_request(app)

    def handle_request(self, req, conn):
        transfer_encoding_check(req.headers)
        return super().handle_request(req, conn)

    def handle_error(self, req, client, addr, exc):
        started = datetime.now()
        addr = addr or ("", -1)
        answer = framing_error_answer(exc)
        if answer is None:
            self.log.exception("Error handling request %s", getattr(req, "uri", "(no URI read)"))
            answer = SERVER_ERROR
        else:
            self.log.warning("Invalid request from ip=%s: %s", addr[0], exc)
        req = req or getattr(exc, "req", None)
        if req is not None:
            self._access(req, client, addr, answer, datetime.now() - started)
        try:
            util.write_nonblock(client, json_error_response(answer))
        except Exception:  # the client may be gone; nothing is left to tell it
            self.log.debug("Failed to send error message.")

    def _access(self, req, client, addr, answer: "ErrorAnswer", request_time) -> None:
        environ = default_environ(req, client, self.cfg)
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = addr[0], str(addr[1])
        resp = Response(req, client, self.cfg)
        resp.status = f"{answer.status} {answer.reason}"
        self.log.access(resp, req, environ, request_time)


def closing_on_request(app):
    """The WSGI ``app`` whose ``Connection: close`` response header closes the connection after
    the response (gunicorn drops hop-by-hop headers an application sets): an upload refused
    without reading its body (``receivers_busy``) must not keep a thread draining it."""

    def wsgi(environ, start_response):
        def start(status, headers, exc_info=None):
            if any(k.lower() == "connection" and v.lower() == "close" for k, v in headers):
                start_response.__self__.force_close()
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return wsgi


class ErrorAnswer:
    """A status line and the JSON error body gunicorn sends for a request Django never saw."""

    def __init__(self, status: int, reason: str, code: str, detail: str):
        self.status, self.reason, self.code, self.detail = status, reason, code, detail


SERVER_ERROR = ErrorAnswer(
    500,
    "Internal Server Error",
    "server_error",
    "Internal server error. The error has been logged.",
)
_APPLICATION_ERRORS = (http_errors.InvalidResponseHeader, http_errors.InvalidResponseHeaderName)
_CHUNK_ERRORS = (
    http_errors.InvalidChunkSize,
    http_errors.ChunkMissingTerminator,
    http_errors.InvalidChunkExtension,
)


def framing_error_answer(exc: BaseException) -> ErrorAnswer | None:
    """The answer to a request gunicorn refused as malformed; None for a server-side error."""
    if isinstance(exc, _APPLICATION_ERRORS):
        return None  # a header the application tried to send: the server's fault
    header = getattr(exc, "hdr", None)
    if isinstance(exc, http_errors.InvalidHeader) and header == "CONTENT-LENGTH":
        return ErrorAnswer(
            400,
            "Bad Request",
            "invalid_content_length",
            "The Content-Length header must be one whole number of bytes (digits only), "
            "sent once and never together with Transfer-Encoding.",
        )
    if isinstance(exc, http_errors.InvalidHeader) and header == "TRANSFER-ENCODING":
        return ErrorAnswer(
            400,
            "Bad Request",
            "invalid_transfer_encoding",
            "Transfer-Encoding must be 'chunked' alone (HTTP/1.1), without Content-Length.",
        )
    if isinstance(exc, http_errors.UnsupportedTransferCoding):
        return ErrorAnswer(
            501,
            "Not Implemented",
            "unsupported_transfer_coding",
            "The only transfer coding Sluis reads is 'chunked'.",
        )
    if isinstance(exc, _CHUNK_ERRORS):
        return ErrorAnswer(
            400, "Bad Request", "unreadable_body", "The chunked request body is malformed."
        )
    return _other_client_error(exc)


def _other_client_error(exc: BaseException) -> ErrorAnswer | None:
    if isinstance(exc, http_errors.LimitRequestLine):
        return ErrorAnswer(414, "URI Too Long", "uri_too_long", "The request line is too long.")
    if isinstance(exc, http_errors.LimitRequestHeaders):
        return ErrorAnswer(
            431,
            "Request Header Fields Too Large",
            "headers_too_large",
            "The request has too many or too large header fields.",
        )
    if isinstance(exc, http_errors.ExpectationFailed):
        return ErrorAnswer(
            417, "Expectation Failed", "expectation_failed", "Only 'Expect: 100-continue' works."
        )
    if isinstance(exc, http_errors.ForbiddenProxyRequest):
        return ErrorAnswer(403, "Forbidden", "forbidden", "Request forbidden.")
    if isinstance(exc, http_errors.ParseException) and not isinstance(
        exc, http_errors.ConfigurationProblem
    ):
        return ErrorAnswer(
            400, "Bad Request", "malformed_request", "The HTTP request is malformed."
        )
    return None


def transfer_encoding_check(headers: list[tuple[str, str]]) -> None:
    """Refuse any Transfer-Encoding but one ``chunked`` (gunicorn lets ``identity, chunked``
    through; a proxy in front may read that framing differently)."""
    codings = [
        token.strip(" \t").lower()
        for name, value in headers
        if name == "TRANSFER-ENCODING"
        for token in value.split(",")
    ]
    if codings and codings != ["chunked"]:
        raise http_errors.InvalidHeader("TRANSFER-ENCODING")


def json_error_response(answer: ErrorAnswer) -> bytes:
    body = json.dumps({"detail": answer.detail, "code": answer.code}).encode()
    head = (
        f"HTTP/1.1 {answer.status} {answer.reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


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
        "worker_class": "sluis.ops.gunicorn.SluisThreadWorker",
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
