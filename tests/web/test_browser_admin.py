"""The admin's main flows in Chromium: a staff user sets a data source's ingest settings with
the per-kind fields, and fails a stuck upload through the confirmation page."""

import re

import pytest
from playwright.sync_api import expect

from sluis.uploads.models import Upload
from tests.uploads.conftest import busy_upload
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(admin_user):
    admin_user.is_superuser = True
    admin_user.set_password(PASSWORD)
    admin_user.save()
    return admin_user


def admin_sign_in(page) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_contain_text("Sluis administration")


def test_staff_sets_dutch_csv_settings_with_the_per_kind_fields(page, staff, make_source):
    source = make_source(kind="timeseries").data_source
    admin_sign_in(page)
    page.goto(f"/admin/catalog/datasource/{source.pk}/change/")
    expect(page.get_by_text("IANA time zone of naive timestamps")).to_be_visible()
    page.locator("#id_setting_delimiter").select_option(";")
    page.locator("#id_setting_decimal").select_option(",")
    page.locator("#id_setting_timezone").fill("Europe/Amsterdam")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    source.refresh_from_db()
    assert source.ingest_settings == {
        "delimiter": ";", "decimal": ",", "timezone": "Europe/Amsterdam"
    }  # fmt: skip
    page.goto(f"/admin/catalog/datasource/{source.pk}/change/")
    page.locator("#id_setting_timezone").fill("Mars/Base")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.get_by_text("Unknown time zone 'Mars/Base'.")).to_be_visible()


def test_staff_fails_a_stuck_upload_after_confirming(page, staff, make_source, supplier):
    upload = busy_upload(make_source(), supplier)
    admin_sign_in(page)
    page.goto("/admin/uploads/upload/")
    expect(page.get_by_role("link", name=re.compile("Add upload"))).to_have_count(0)
    page.locator(f'input[name="_selected_action"][value="{upload.pk}"]').check()
    page.locator('select[name="action"]').select_option("fail_uploads")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="Are you sure you want to fail these uploads?"))
    assert Upload.objects.get(pk=upload.pk).status == upload.status
    page.get_by_label("Reason (shown to the supplier)").fill("logger clock was wrong")
    page.get_by_role("button", name="Yes, fail these uploads").click()
    expect(page.locator(".messagelist")).to_contain_text("1 done")
    failed = Upload.objects.get(pk=upload.pk)
    assert failed.status == "failed" and failed.failure_reason == "logger clock was wrong"
