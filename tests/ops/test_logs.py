"""The log formatters, the context fields, token redaction in both formats, and request ids."""

import io
import json
import logging
import re

import pytest
from django.urls import path

from sluis.config.logging import (
    JsonFormatter,
    LogContextFilter,
    PlainFormatter,
    RedactTokensFilter,
    log_context,
    logging_config,
)
from sluis.ops.middleware import client_address, request_id

SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a0feedbeef"


@pytest.fixture
def emit():
    """Log one record through a handler set up as ``settings.LOGGING`` sets up the console."""

    def emit(formatter: logging.Formatter, *args, **kwargs) -> str:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
        handler.addFilter(LogContextFilter())
        handler.addFilter(RedactTokensFilter())
        logger = logging.getLogger("sluis.tests.logs")
        logger.propagate, logger.level = False, logging.DEBUG
        logger.addHandler(handler)
        try:
            logger.log(*args, **kwargs)
        finally:
            logger.removeHandler(handler)
        return stream.getvalue()

    return emit


def test_a_json_line_has_time_level_logger_message_process_and_the_extra_fields(emit):
    line = emit(JsonFormatter(), logging.INFO, "upload %s received", 7, extra={"size": 12})
    assert line.endswith("\n") and line.count("\n") == 1
    record = json.loads(line)
    assert list(record)[:5] == ["time", "level", "logger", "message", "process"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["time"])
    assert (record["level"], record["logger"]) == ("INFO", "sluis.tests.logs")
    assert (record["message"], record["size"]) == ("upload 7 received", 12)
    assert isinstance(record["process"], int)


def test_an_error_carries_its_traceback_as_the_exception_field(emit):
    try:
        raise ValueError("the disk is full")
    except ValueError:
        line = emit(JsonFormatter(), logging.ERROR, "could not store", exc_info=True)
    record = json.loads(line)
    assert record["message"] == "could not store"
    assert (
        "Traceback" in record["exception"] and "ValueError: the disk is full" in record["exception"]
    )


def test_bound_context_is_on_every_line_until_the_block_ends_and_extra_wins(emit):
    with log_context(upload_id=5, request_id="r-1"):
        with log_context(attempt=2):
            inner = json.loads(
                emit(JsonFormatter(), logging.INFO, "x", extra={"request_id": "r-2"})
            )
        outer = json.loads(emit(JsonFormatter(), logging.INFO, "y"))
    after = json.loads(emit(JsonFormatter(), logging.INFO, "z"))
    assert (inner["upload_id"], inner["attempt"], inner["request_id"]) == (5, 2, "r-2")
    assert (outer["upload_id"], outer["request_id"]) == (5, "r-1") and "attempt" not in outer
    assert "upload_id" not in after


class Unprintable:
    def __str__(self) -> str:
        return f"<thing at /api/v1/x/?token={SECRET}>"


def test_no_token_reaches_a_json_line_from_message_fields_or_traceback(emit):
    try:
        raise RuntimeError(f'GET /api/v1/sync_tasks/?token={SECRET}&page=2 "quoted"')
    except RuntimeError:
        line = emit(
            JsonFormatter(),
            logging.ERROR,
            "request to %s failed",
            f"/api/v1/x/?token={SECRET}",
            exc_info=True,
            extra={
                "header": f"Token {SECRET}",
                "nested": {"auth": [f"Bearer {SECRET}"]},
                "thing": Unprintable(),
            },
        )
    assert SECRET not in line
    record = json.loads(line)  # still valid JSON after redaction
    assert record["header"] == "Token ***"
    assert record["nested"] == {"auth": ["Bearer ***"]}
    assert "token=***&page=2" in record["exception"]
    assert record["message"] == "request to /api/v1/x/?token=*** failed"


def test_no_token_reaches_a_plain_line_and_it_reads_as_one_line_with_fields(emit):
    line = emit(
        PlainFormatter(),
        logging.WARNING,
        "upload %s failed",
        3,
        extra={"reason": f"see ?token={SECRET}", "detail": {"not": "shown"}},
    )
    assert SECRET not in line
    assert re.fullmatch(
        r"\S+Z WARNING sluis\.tests\.logs upload 3 failed reason=see \?token=\*\*\*\n", line
    )
    try:
        raise ValueError(f"Authorization: Token {SECRET}")
    except ValueError:
        text = emit(PlainFormatter(), logging.ERROR, "boom", exc_info=True)
    assert SECRET not in text and "Traceback" in text


def test_an_unknown_log_format_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="'plain' or 'json'"):
        logging_config(level="INFO", log_format="xml")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("5f0c6a1d9b8e4c27a3d2e1f0b9c8d7e6", True),
        ("req-0001.test:retry_2", True),
        ("", False),
        ("x" * 129, False),
        ("a b", False),
        ("id\r\nSet-Cookie: x=1", False),
        ("<script>", False),
        ("id?token=abc", False),
    ],
)
def test_a_request_id_is_kept_only_when_short_and_safe(given, kept):
    environ = {"HTTP_X_REQUEST_ID": given}
    rid = request_id(environ)
    assert (rid == given) is kept
    if not kept:
        assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert request_id(environ) == rid  # decided once per request


def test_the_client_address_is_the_proxys_view_only_behind_the_proxy(settings):
    environ = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}
    settings.SLUIS_BEHIND_PROXY = False
    assert client_address(environ) == "10.0.0.2"
    settings.SLUIS_BEHIND_PROXY = True
    assert client_address(environ) == "203.0.113.9"
    assert client_address({"REMOTE_ADDR": "10.0.0.2"}) == "10.0.0.2"


@pytest.mark.django_db
def test_the_response_echoes_the_request_id_or_a_new_one(client):
    given = client.get("/api/v1/health/", headers={"X-Request-ID": "abc-123"})
    assert given["X-Request-ID"] == "abc-123"
    made = client.get("/api/v1/health/", headers={"X-Request-ID": "bad id"})
    assert re.fullmatch(r"[0-9a-f]{32}", made["X-Request-ID"])


def boom(request):
    raise RuntimeError(f"the view broke on {request.get_full_path()}")


urlpatterns = [path("boom/", boom)]


@pytest.mark.urls("tests.ops.test_logs")
def test_a_server_error_is_one_line_with_the_traceback_and_request_id_and_no_token(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        response = client.get(f"/boom/?token={SECRET}", headers={"X-Request-ID": "err-1"})
    assert response.status_code == 500
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert (record.levelname, record.request_id) == ("ERROR", "err-1")
    line = JsonFormatter().format(record)
    assert SECRET not in line
    logged = json.loads(line)
    assert "RuntimeError: the view broke on /boom/?token=***" in logged["exception"]
    assert logged["request_id"] == "err-1"
