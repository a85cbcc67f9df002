import logging

from sluis.config.logging import RedactTokensFilter, redact


def test_query_and_header_tokens_are_redacted():
    line = 'GET /api/v1/x/?a=1&token=abc123&b=2 "Authorization: Token s3cr3t" Bearer zzz'
    cleaned = redact(line)
    assert "abc123" not in cleaned and "s3cr3t" not in cleaned and "zzz" not in cleaned
    assert "a=1" in cleaned and "b=2" in cleaned


def test_filter_rewrites_formatted_messages():
    record = logging.LogRecord("x", logging.INFO, "f", 1, "url %s", ("/?token=secret",), None)
    assert RedactTokensFilter().filter(record)
    assert "secret" not in record.getMessage()
