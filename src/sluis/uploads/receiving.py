"""Reading an upload's multipart body straight from the socket to a spool file.

The body is never held in memory: python-multipart (a push parser, see decision 0003) is fed
1 MiB chunks as they are read; the file part goes to a spool file in the storage's filesystem while
it is hashed and counted. Past the cap the reading stops at once (413). Non-file fields, part
headers and the number of parts have their own small budgets, so hostile bodies fail fast (400).
Whatever goes wrong, the spool file is removed before the error leaves this module.
"""

import contextlib
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

from sluis.uploads import errors
from sluis.uploads.spool import SpoolWriter

CHUNK = 1024 * 1024
FIRST_CHUNK = 64 * 1024  # small first read: a hostile preamble is refused after 64 KiB
MAX_PREAMBLE = 64 * 1024
# Part encodings that leave the bytes as sent; any other (base64, quoted-printable) is refused
# rather than stored as its encoded text (docs/decisions/0019-part-transfer-encoding.md).
IDENTITY_ENCODINGS = {"", "7bit", "8bit", "binary"}
MULTIPART_OVERHEAD = 1024 * 1024  # body bytes allowed beyond the file: part headers and fields
_BOUNDARY = re.compile(rb"[0-9A-Za-z'()+_,./:=? -]{0,69}[0-9A-Za-z'()+_,./:=?-]")  # RFC 2046


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_field_bytes: int
    max_parts: int
    max_header_bytes: int

    @property
    def max_body_bytes(self) -> int:
        return self.max_file_bytes + MULTIPART_OVERHEAD

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            max_file_bytes=settings.SLUIS_MAX_UPLOAD_BYTES,
            max_field_bytes=settings.SLUIS_UPLOAD_MAX_FIELD_BYTES,
            max_parts=settings.SLUIS_UPLOAD_MAX_PARTS,
            max_header_bytes=settings.SLUIS_UPLOAD_MAX_HEADER_BYTES,
        )


@dataclass(frozen=True)
class RequestBody:
    """What the receiver needs of an HTTP request: its framing headers and its body stream.

    ``content_length`` is the raw header (None when absent); ``terminated`` says the server
    delivers a chunked body with an end (gunicorn's ``wsgi.input_terminated``).
    """

    content_type: str
    content_length: str | None
    transfer_encoding: str
    terminated: bool
    stream: BinaryIO


@dataclass
class ReceivedFile:
    """The file part, complete on local disk under a generated spool name."""

    path: Path
    original_filename: str
    content_type: str
    size: int
    sha256: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass
class ReceivedForm:
    fields: dict[str, str] = field(default_factory=dict)
    file: ReceivedFile | None = None


def body_check(body: RequestBody, limits: Limits) -> int | None:
    """Checks made before a byte is read: media type, then length. Returns the length to read.

    ``None`` means a chunked body read to its end (the count is capped while reading).
    """
    _boundary(body.content_type)
    raw = body.content_length
    if raw is None or raw == "":
        if "chunked" in body.transfer_encoding.lower() and body.terminated:
            return None
        raise errors.LengthRequired()
    if not (raw.isascii() and raw.isdigit()):
        raise errors.InvalidContentLength()
    length = int(raw)
    if length > limits.max_body_bytes:
        raise _too_large(limits)
    return length


_slots: threading.BoundedSemaphore | None = None


def receive_slots_limit(count: int) -> None:
    """Receive at most ``count`` bodies at a time in this process (``sluis serve`` sets it to
    its threads minus ``RESERVED_THREADS``), so that slow clients dribbling bodies can never take
    every thread: ``/health/`` and the reading API always have one. Unset: no limit."""
    global _slots
    _slots = threading.BoundedSemaphore(max(1, count))


@contextlib.contextmanager
def receive_slot() -> Iterator[None]:
    """Hold one receive slot for the block; ``ReceiversBusy`` (503) at once when none is free."""
    slots = _slots
    if slots is None:
        yield
        return
    if not slots.acquire(blocking=False):
        retry = str(settings.SLUIS_UPLOAD_RETRY_AFTER)
        raise errors.ReceiversBusy(headers={"Retry-After": retry, "Connection": "close"})
    try:
        yield
    finally:
        slots.release()


def form_receive(
    *,
    body: RequestBody,
    spool_dir: Path,
    limits: Limits,
    file_field: str = "upload_file",
    on_file_start: Callable[[dict[str, str]], None] | None = None,
) -> ReceivedForm:
    """Read the whole body; the file part lands in ``spool_dir``. Raises typed 4xx errors.

    ``on_file_start`` is called with the fields seen so far when the file part begins, before
    any of its bytes are read; raising there stops the upload without reading further.
    """
    length = body_check(body, limits)
    with receive_slot():
        return _form_read(body, length, spool_dir, limits, file_field, on_file_start)


def _form_read(body, length, spool_dir, limits, file_field, on_file_start) -> ReceivedForm:
    reader = _FormReader(spool_dir, limits, file_field, on_file_start)
    try:
        parser = MultipartParser(
            _boundary(body.content_type),
            reader.callbacks(),
            max_header_size=limits.max_header_bytes,
        )
        _pump(body.stream, length, parser, reader, limits)
    except FormParserError as exc:
        reader.discard()
        raise errors.MalformedMultipart(f"The multipart body is malformed: {exc}") from exc
    except BaseException:
        reader.discard()
        raise
    return reader.form


def _pump(stream, length: int | None, parser, reader: "_FormReader", limits: Limits) -> None:
    received = 0
    size = FIRST_CHUNK
    while length is None or received < length:
        want = size if length is None else min(size, length - received)
        chunk = _read(stream, want)
        if not chunk:
            break
        received += len(chunk)
        if received > limits.max_body_bytes:
            raise _too_large(limits)
        parser.write(chunk)
        if not reader.parts and received > MAX_PREAMBLE:
            raise errors.MalformedMultipart("No multipart part starts in the first 64 KiB.")
        size = CHUNK
    parser.finalize()
    if not reader.ended:
        raise errors.TruncatedBody()


def _read(stream, size: int) -> bytes:
    try:
        return stream.read(size)
    except Exception as exc:  # the server's own errors: socket timeout, bad chunk framing
        if isinstance(exc, TimeoutError) or isinstance(exc.__cause__, TimeoutError):
            raise errors.BodyTimeout() from exc  # Django wraps it in UnreadablePostError
        raise errors.UnreadableBody(
            f"The request body could not be read: {type(exc).__name__}."
        ) from exc


def _boundary(content_type: str) -> bytes:
    media, options = parse_options_header(content_type)
    if media != b"multipart/form-data":
        raise errors.UnsupportedMediaType()
    boundary = options.get(b"boundary", b"")
    if not _BOUNDARY.fullmatch(boundary):
        raise errors.MalformedMultipart(
            "The multipart boundary is missing, too long or has characters RFC 2046 forbids."
        )
    return boundary


def _too_large(limits: Limits) -> errors.UploadTooLarge:
    mb = limits.max_file_bytes / (1024 * 1024)
    return errors.UploadTooLarge(
        f"The upload is larger than the maximum of {mb:g} MB.",
        max_bytes=limits.max_file_bytes,
    )


class _FormReader:
    """Callbacks for python-multipart: fields into small buffers, the file into a spool file."""

    def __init__(self, spool_dir: Path, limits: Limits, file_field: str, on_file_start):
        self.spool_dir = spool_dir
        self.limits = limits
        self.file_field = file_field
        self.on_file_start = on_file_start
        self.form = ReceivedForm()
        self.parts = 0
        self.ended = False
        self._headers: list[tuple[bytes, bytes]] = []
        self._name = bytearray()
        self._value = bytearray()
        self._field: tuple[str, bytearray] | None = None
        self._writer: SpoolWriter | None = None

    def callbacks(self) -> "MultipartCallbacks":
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": lambda d, s, e: self._name.extend(memoryview(d)[s:e]),
            "on_header_value": lambda d, s, e: self._value.extend(memoryview(d)[s:e]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > self.limits.max_parts:
            raise errors.FormTooLarge(f"The form has more than {self.limits.max_parts} parts.")
        self._headers = []

    def header_end(self) -> None:
        self._headers.append((bytes(self._name).lower(), bytes(self._value)))
        self._name.clear()
        self._value.clear()

    def headers_finished(self) -> None:
        encoding = _header(self._headers, b"content-transfer-encoding").strip().lower()
        if encoding not in IDENTITY_ENCODINGS:
            raise errors.UnsupportedPartEncoding()
        disposition = _header(self._headers, b"content-disposition")
        kind, params = content_disposition_parse(disposition)
        if kind != "form-data" or "name" not in params:
            raise errors.MalformedMultipart("A part lacks 'Content-Disposition: form-data'.")
        if "filename" in params:
            self._file_begin(params["name"], params["filename"])
        else:
            self._field = (params["name"], bytearray())

    def _file_begin(self, name: str, filename: str) -> None:
        if name != self.file_field:
            raise errors.UnexpectedFileField(
                f"Files are accepted only in the field '{self.file_field}', not in {name!r}."
            )
        if self.form.file is not None:
            raise errors.MultipleFiles()
        if self.on_file_start is not None:
            self.on_file_start(dict(self.form.fields))
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        fd, path = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=self.spool_dir)
        self._writer = SpoolWriter(fd)
        content_type = _header(self._headers, b"content-type") or "application/octet-stream"
        self.form.file = ReceivedFile(Path(path), filename, content_type[:100], 0, "")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        view = memoryview(data)[start:end]
        if self._writer is not None and self.form.file is not None:
            self._file_data(self.form.file, self._writer, view)
        elif self._field is not None:
            buffer = self._field[1]
            if len(buffer) + len(view) > self.limits.max_field_bytes:
                raise errors.FormTooLarge(
                    f"The form field {self._field[0]!r} is larger than "
                    f"{self.limits.max_field_bytes} bytes."
                )
            buffer.extend(view)

    def _file_data(self, received: ReceivedFile, writer: SpoolWriter, view: memoryview) -> None:
        received.size += len(view)
        if received.size > self.limits.max_file_bytes:
            raise _too_large(self.limits)
        writer.put(view)

    def part_end(self) -> None:
        if self._writer is not None and self.form.file is not None:
            # finish() closes the spool file even when it fails (a full disk at fsync): the
            # writer is dropped first, so that discard() removes the file instead of closing twice
            writer, self._writer = self._writer, None
            self.form.file.sha256 = writer.finish()
        elif self._field is not None:
            name, value = self._field
            self.form.fields[name] = value.decode("utf-8", errors="replace")
            self._field = None

    def end(self) -> None:
        self.ended = True

    def discard(self) -> None:
        if self._writer is not None:
            self._writer.abort()
            self._writer = None
        if self.form.file is not None:
            self.form.file.discard()


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    for key, value in headers:
        if key == name:
            return _decode(value)
    return ""


def _decode(raw: bytes) -> str:
    """Browsers and curl send names as raw UTF-8; anything else is read as Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def content_disposition_parse(value: str) -> tuple[str, dict[str, str]]:
    """``form-data; name="x"; filename="a b.csv"`` → ``("form-data", {...})``, in linear time.

    Hand-written because the stdlib/email-based parsers are quadratic on hostile parameter lists
    and because the exact original filename must survive (no stripping of path-like names).
    Quoted values keep backslash escapes as RFC 7578 browsers send them (``\\"`` → ``"``).
    """
    kind, _, rest = value.partition(";")
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in " \t;":
            i += 1
        eq = rest.find("=", i)
        if eq < 0:
            break
        key = rest[i:eq].strip().lower()
        i = eq + 1
        while i < n and rest[i] in " \t":
            i += 1
        value_text, i = _param_value(rest, i)
        if key and not key.endswith("*"):
            params.setdefault(key, value_text)
    return kind.strip().lower(), params


def _param_value(text: str, i: int) -> tuple[str, int]:
    if i < len(text) and text[i] == '"':
        out = []
        i += 1
        while i < len(text) and text[i] != '"':
            if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
                i += 1
            out.append(text[i])
            i += 1
        return "".join(out), i + 1
    end = text.find(";", i)
    end = len(text) if end < 0 else end
    return text[i:end].strip(), end
