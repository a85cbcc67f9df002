"""In Chromium with a real SMTP server (aiosmtpd): password change and reset by e-mail."""

import re
import socket
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from tests.web.conftest import PASSWORD, sign_in

NEW_PASSWORD = "an even longer new password"


class Inbox:
    """Every message the SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port for the server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


def test_a_signed_in_supplier_changes_their_password(page, web_supplier):
    sign_in(page)
    page.get_by_role("link", name="Password").click()
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, password=NEW_PASSWORD)


def test_a_wrong_old_password_is_explained_next_to_the_field(page, web_supplier):
    sign_in(page)
    page.goto("/password/")
    page.get_by_label("Old password").fill("not it")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_label("Old password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert").first).to_contain_text("incorrectly")


def test_a_forgotten_password_is_reset_through_the_emailed_link(page, web_supplier, smtp):
    web_supplier.email = "supplier@waterschap.example"
    web_supplier.save()
    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("supplier@waterschap.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    [(recipients, message)] = smtp.messages
    assert recipients == ["supplier@waterschap.example"]
    assert message["Subject"] == "Choose a new Sluis password"
    link = re.search(r"https?://\S+/password/reset/\S+/", message.get_payload())[0]

    page.goto(link)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("heading", name="Password set")).to_be_visible()
    sign_in(page, password=NEW_PASSWORD)
    page.goto(link)  # a reset link works once
    expect(page.get_by_role("alert")).to_contain_text("no longer valid")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(page, web_supplier, smtp):
    page.goto("/password/reset/")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert smtp.messages == []
