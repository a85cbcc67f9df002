"""The supplier pages as a signed-in browser sees them (Django test client, no JavaScript)."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sluis.uploads.models import Upload

PASSWORD = "correct horse battery staple"


@pytest.fixture
def signed_in(client, supplier):
    client.force_login(supplier)
    return client


def make_upload(source, user, **fields):
    fields.setdefault("original_filename", "levels.csv")
    fields.setdefault("filename", "levels.csv")
    fields.setdefault("received_at", timezone.now())
    return Upload.objects.create(
        data_source=source.data_source, sync_task=source.sync_task, uploader=user, **fields
    )


def test_signing_in_with_the_right_password_opens_my_data_sources(client, supplier):
    supplier.set_password(PASSWORD)
    supplier.save()
    response = client.post("/login/", {"username": "supplier", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    assert "My data sources" in response.text and "Signed in as" in response.text


def test_a_wrong_password_is_refused_with_a_readable_error(client, supplier):
    response = client.post("/login/", {"username": "supplier", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert "did not match" in response.text
    assert not client.session.get("_auth_user_id")


def test_pages_send_anonymous_visitors_to_sign_in_and_back(client, make_source):
    source = make_source()
    response = client.get(f"/sources/{source.sync_task.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/sources/{source.sync_task.pk}/"


def test_sign_in_form_is_protected_by_csrf(supplier):
    supplier.set_password(PASSWORD)
    supplier.save()
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post("/login/", {"username": "supplier", "password": PASSWORD})
    assert refused.status_code == 403
    page = browser.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    accepted = browser.post(
        "/login/", {"username": "supplier", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302


def test_signing_out_ends_the_session(signed_in):
    assert signed_in.get("/").status_code == 200
    assert signed_in.post("/logout/").status_code == 302
    assert signed_in.get("/").status_code == 302


def test_my_data_sources_lists_where_i_may_upload_with_the_last_upload(
    signed_in, supplier, outsider, make_source, other_org
):
    levels = make_source(name="Levels")
    make_source(name="Archive", uploadable=False)
    make_source(name="Their levels", owner=other_org)
    granted = make_source(name="Shared photos", kind="file", owner=other_org)
    granted.data_source.suppliers.add(supplier)
    make_upload(levels, supplier, status="failed", received_at=timezone.now())
    make_upload(levels, supplier, status="succeeded", original_filename="newest.csv")

    page = signed_in.get("/").text
    assert "Levels" in page and "Shared photos" in page
    assert "Archive" not in page and "Their levels" not in page
    assert "newest.csv" in page and "status-succeeded" in page
    assert "Nothing uploaded yet" in page


def test_a_consumer_has_no_data_sources_to_upload_to(client, consumer, make_source):
    make_source()
    client.force_login(consumer)
    page = client.get("/").text
    assert "no data sources you may upload to" in page


def test_a_data_source_of_another_organization_is_not_found(signed_in, make_source, other_org):
    hidden = make_source(name="Secret", owner=other_org, private=True)
    response = signed_in.get(f"/sources/{hidden.sync_task.pk}/")
    assert response.status_code == 404
    assert "Secret" not in response.text


def test_a_visible_source_i_may_not_upload_to_says_why(signed_in, make_source, other_org):
    public = make_source(name="Public levels", owner=other_org)
    response = signed_in.get(f"/sources/{public.sync_task.pk}/")
    assert response.status_code == 403
    assert "data supplier role" in response.text


def test_the_source_page_shows_history_with_counts_errors_and_links(
    signed_in, supplier, make_source
):
    source = make_source()
    make_upload(source, supplier, status="succeeded", inserted=3, updated=1, storage_key="k/1")
    make_upload(
        source,
        supplier,
        status="failed",
        original_filename="broken.csv",
        failure_reason="2 problem(s) found; nothing was written.",
        errors=[{"message": "not a number", "line": 3, "field": "value", "value": "abc"}],
        error_count=2,
        error_report_key="reports/1.csv",
    )
    page = signed_in.get(f"/sources/{source.sync_task.pk}/").text
    assert "2 problem(s) found" in page and "line 3" in page and "not a number" in page
    assert "and 1 more: the error report holds all of them." in page
    assert "Full error report (CSV)" in page
    assert re.search(r"<dt>inserted</dt><dd>3</dd>", page)
    assert page.count("/api/v1/download/") == 2  # the original of #1 and the report of #2
    assert 'data-upload-url="/api/v1/sync_tasks/' in page


def test_markup_in_a_filename_is_shown_as_text(signed_in, supplier, make_source):
    source = make_source()
    make_upload(source, supplier, original_filename="<img src=x onerror=alert(1)>.csv")
    response = signed_in.get(f"/sources/{source.sync_task.pk}/")
    assert "<img src=x" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in response.text
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_history_fragment_follows_the_same_access_rules(signed_in, make_source, other_org):
    mine, theirs = make_source(), make_source(name="Theirs", owner=other_org)
    assert signed_in.get(f"/sources/{mine.sync_task.pk}/history/").status_code == 200
    assert signed_in.get(f"/sources/{theirs.sync_task.pk}/history/").status_code == 404


def test_the_signed_in_browser_uses_the_api_with_its_session(signed_in, make_source):
    private = make_source(name="Private levels", private=True)
    listed = signed_in.get("/api/v1/sync_tasks/").json()
    assert private.sync_task.pk in {task["id"] for task in listed["results"]}


def test_an_api_write_with_the_session_but_without_csrf_token_is_refused(supplier):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supplier)
    response = browser.post("/api/v1/sync_tasks/")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    token = browser.get("/tokens/").cookies["csrftoken"].value
    allowed_past_csrf = browser.post(
        "/api/v1/sync_tasks/", {}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert allowed_past_csrf.status_code == 405  # past the CSRF check: listing takes no POST


def test_a_multipart_api_write_is_csrf_checked_from_the_header_without_reading_the_body(
    supplier,
):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supplier)
    token = browser.get("/tokens/").cookies["csrftoken"].value
    form = {"csrfmiddlewaretoken": token, "upload_file": SimpleUploadedFile("x.csv", b"a,b\n")}
    in_body_only = browser.post("/api/v1/sync_tasks/", form)
    assert in_body_only.status_code == 403
    assert "CSRF" in in_body_only.json()["detail"]
    in_header = browser.post("/api/v1/sync_tasks/", form, HTTP_X_CSRFTOKEN=token)
    assert in_header.status_code == 405  # past CSRF, and no parser was asked to read the form


def test_a_granted_supplier_sees_only_their_own_organizations_uploads(
    client, supplier, outsider, make_source
):
    source = make_source(name="Shared levels")
    source.data_source.suppliers.add(outsider)
    earlier = timezone.now() - timedelta(hours=1)
    make_upload(
        source,
        outsider,
        original_filename="outsiders-file.csv",
        received_at=earlier,
        status="failed",
    )
    make_upload(source, supplier, original_filename="owners-file.csv", status="succeeded")
    client.force_login(outsider)
    listing = client.get("/").text
    assert "outsiders-file.csv" in listing and "owners-file.csv" not in listing
    page = client.get(f"/sources/{source.sync_task.pk}/").text
    assert "outsiders-file.csv" in page and "owners-file.csv" not in page
