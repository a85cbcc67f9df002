"""In Chromium: the pages in Dutch, by Accept-Language and by the language switch, with no
English left on them (every English message of the catalogue is looked for on the page)."""

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from tests.web.conftest import (
    TIMEOUT_MS,
    check_page,
    measurements_csv,
    sign_in,
    upload_and_process,
)
from tests.web.test_translations import CATALOGUES

# Words that are the same in both languages, or names, are not evidence of English.
SAME_IN_BOTH = 12


def english_messages() -> set[str]:
    found = set()
    for domain in ("django", "djangojs"):
        with open(CATALOGUES / f"{domain}.po", "rb") as handle:
            for message in read_po(handle):
                for text in message.id if isinstance(message.id, tuple) else [message.id]:
                    plain = text.split("%(")[0].split("<")[0].strip()
                    if len(plain) >= SAME_IN_BOTH and message.string not in (text, (text,)):
                        found.add(plain)
    return found


def assert_no_english(page) -> None:
    text = page.evaluate("() => document.body.innerText")
    leftovers = sorted(m for m in english_messages() if m in text)
    assert leftovers == [], leftovers


@pytest.fixture
def dutch_page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url,
        locale="nl-NL",
        extra_http_headers={"Accept-Language": "nl-NL,nl;q=0.9"},
        viewport={"width": 390, "height": 844},
        bypass_csp=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.size_name = "phone-nl"
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def test_a_dutch_browser_gets_dutch_pages_with_no_english_left(
    dutch_page, web_supplier, make_source
):
    source = make_source(name="Waterstanden", ingest_settings={"timezone": "Europe/Amsterdam"})
    page = dutch_page
    page.goto("/login/")
    expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert_no_english(page)
    page.get_by_label("Gebruikersnaam").fill("supplier")
    page.get_by_label("Wachtwoord").fill("a long enough password")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="Mijn databronnen")).to_be_visible()
    assert_no_english(page)
    page.goto(f"/sources/{source.sync_task.pk}/")
    upload_and_process(page, "peilen.csv", measurements_csv(30))
    expect(page.get_by_test_id("status")).to_have_text("geslaagd")
    expect(page.locator("#preview-status")).to_contain_text("1 van 1 reeksen getoond")
    expect(page.locator("#upload-status")).to_contain_text("is nu geslaagd")
    expect(page.locator("#rules")).to_contain_text("tijden zonder verschuiving")
    assert_no_english(page)
    check_page(page, "source-timeseries")
    page.goto("/tokens/")
    expect(page.get_by_role("heading", name="API-tokens")).to_be_visible()
    assert_no_english(page)


def test_the_language_switch_changes_the_pages_language(page, web_supplier):
    sign_in(page)
    page.get_by_label("Language").select_option("nl")
    page.get_by_role("button", name="Switch language").click()
    expect(page.get_by_role("heading", name="Mijn databronnen")).to_be_visible()
    page.get_by_label("Taal").select_option("en")
    page.get_by_role("button", name="Taal wisselen").click()
    expect(page.get_by_role("heading", name="My data sources")).to_be_visible()
