"""Real servers for the notification tests: a webhook receiver (HTTP), a mail server (aiosmtpd)
and a DNS server (dnslib) that the webhook resolver can be pointed at. Each runs in a thread of
this process on a free port; the worker subprocesses reach them like any other server."""

from __future__ import annotations

import email
import email.policy
import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core.files.base import ContentFile
from django.utils import timezone
from dnslib import QTYPE, RR, A
from dnslib.server import BaseResolver, DNSServer

from sluis.uploads.models import Upload
from sluis.uploads.storage import object_storage
from tests.ingest.workers import free_port


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Receiver:
    """A webhook receiver: records every request and answers from a script (then 200)."""

    def __init__(self):
        self.requests: list[Received] = []
        self.script: list[Answer] = []
        self.default = Answer()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(Received(self.path, dict(self.headers), body))
                    answer = receiver.script.pop(0) if receiver.script else receiver.default
                time.sleep(answer.delay)
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # a client that hung up
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, *answers: Answer) -> None:
        with self.lock:
            self.script.extend(answers)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class MailServer:
    """A real SMTP server (aiosmtpd) keeping every message it receives."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
                server.messages.append(message)
                return "250 Message accepted"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.controller.stop()


class Names(BaseResolver):
    """An authoritative answer for the names the test sets; changeable while running."""

    def __init__(self):
        self.addresses: dict[str, str] = {}

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".")
        if request.q.qtype == QTYPE.A and name in self.addresses:
            reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(self.addresses[name]), ttl=0))
        return reply


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def mail_server(settings):
    server = MailServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    yield server
    server.stop()


@pytest.fixture
def dns_names(settings):
    """A DNS server the webhook resolver asks (``SLUIS_WEBHOOK_NAMESERVERS``)."""
    names = Names()
    port = free_port()
    server = DNSServer(names, port=port, address="127.0.0.1")
    server.start_thread()
    settings.SLUIS_WEBHOOK_NAMESERVERS = [f"127.0.0.1:{port}"]
    yield names
    server.stop()


@pytest.fixture
def local_webhooks(settings):
    """The operator settings that let webhooks reach this machine (the test's receiver)."""
    settings.SLUIS_WEBHOOK_ALLOW_HTTP = True
    settings.SLUIS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.SLUIS_PUBLIC_URL = "http://sluis.example.org"
    settings.SLUIS_WEBHOOK_RETRY_BASE = 0.2
    return settings


@pytest.fixture
def finished_upload(supplier):
    """An upload recorded as ended, the way processing records it (``upload_finished`` sent)."""
    from sluis.uploads.signals import upload_finished

    def make(created, *, status="succeeded", uploader=None, **fields) -> Upload:
        content = b"location,parameter,timestamp,value\n"
        key = object_storage().save(f"originals/{uuid.uuid4().hex}", ContentFile(content))
        now = timezone.now()
        upload = Upload.objects.create(
            uploader=uploader or supplier,
            sync_task=created.sync_task,
            data_source=created.data_source,
            original_filename="levels.csv",
            filename="levels.csv",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            storage_key=key,
            received_at=now,
            started_at=now,
            finished_at=now,
            status=status,
            attempts=1,
            **fields,
        )
        upload_finished.send(sender=Upload, upload_id=upload.pk)
        return upload

    return make
