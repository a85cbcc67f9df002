"""In Chromium: signing in and out, the data source list, tokens, keyboard use."""

import re
import time

from playwright.sync_api import expect

from tests.web.conftest import PASSWORD, sign_in


def test_a_supplier_signs_in_with_the_keyboard_and_sees_their_sources(
    page, web_supplier, make_source
):
    make_source(name="Water levels")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_label("Username")).to_be_focused()  # autofocus
    page.keyboard.type("supplier")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My data sources")).to_be_visible()
    expect(page.get_by_role("link", name="Water levels")).to_be_visible()
    expect(page.locator("#sources")).to_contain_text("Nothing uploaded yet")
    assert page.errors == []


def test_a_wrong_password_is_announced_next_to_the_form(page, web_supplier):
    page.goto("/login/")
    page.get_by_label("Username").fill("supplier")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("did not match")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")


def test_signing_out_returns_to_the_sign_in_page(page, web_supplier):
    sign_in(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/tokens/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/tokens/$"))


def test_a_token_is_created_shown_once_and_revoked(page, web_supplier, live_server):
    sign_in(page)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("pump station cron")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Token", exact=True).input_value()
    assert re.fullmatch(r"[0-9a-f]{40}", secret)
    expect(page.get_by_text("shown only this once")).to_be_visible()
    ok = page.request.get(f"{live_server.url}/api/v1/sync_tasks/?token={secret}")
    assert ok.status == 200

    page.goto("/tokens/")
    expect(page.locator("#tokens")).to_contain_text(secret[:8])
    assert secret not in page.content()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Revoke token pump station cron").click()
    assert asked and "cannot be undone" in asked[0]
    expect(page.locator("#tokens")).to_contain_text("active")  # dismissed: nothing revoked
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke token pump station cron").click()
    expect(page.get_by_role("status")).to_contain_text("is revoked")
    refused = page.request.get(f"{live_server.url}/api/v1/sync_tasks/?token={secret}")
    assert refused.status == 403


def test_the_upload_area_is_reachable_by_keyboard_with_a_visible_focus(
    page, web_supplier, make_source
):
    choosers = []
    # Intercepting file dialogs is switched on without a reply: do it well before the key press.
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    source = make_source(name="Water levels")
    sign_in(page)
    page.get_by_role("link", name="Water levels").click()
    expect(page).to_have_url(re.compile(rf"/sources/{source.sync_task.pk}/$"))
    file_input = page.locator("#upload-file")
    for _ in range(30):
        page.keyboard.press("Tab")
        if file_input.evaluate("node => node === document.activeElement"):
            break
    expect(file_input).to_be_focused()
    outline = page.locator("#dropzone").evaluate("node => getComputedStyle(node).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    deadline = time.monotonic() + 10
    while not choosers and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # lets Playwright deliver the event; bounded by the deadline
    assert len(choosers) == 1 and choosers[0].is_multiple()  # several files may be chosen
