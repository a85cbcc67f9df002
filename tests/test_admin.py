"""The admin as an operator's tool (Django's test client; tests/web/test_browser_admin.py
drives the main flows in Chromium)."""

import pytest

from sluis.catalog.models import DataSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client


def test_the_admin_is_branded_and_shows_iso_dates(staff, make_source):
    source = make_source().data_source
    index = staff.get("/admin/").content.decode()
    assert "Sluis administration" in index and "Django administration" not in index
    listing = staff.get("/admin/catalog/datasource/").content.decode()
    assert source.created.strftime("%Y-%m-%d") in listing


def test_the_settings_form_has_one_field_per_key_of_the_kind_with_help(staff, make_source):
    source = make_source(kind="timeseries", ingest_settings={"decimal": ","}).data_source
    page = staff.get(f"/admin/catalog/datasource/{source.pk}/change/").content.decode()
    assert 'name="setting_decimal"' in page and 'name="setting_timezone"' in page
    assert "IANA time zone of naive timestamps" in page
    assert 'name="setting_invalid_geometry"' not in page  # a vector key
    assert 'name="ingest_settings"' not in page
    assert '<option value="," selected>' in page


def _form(source, **settings) -> dict:
    data = {"owner": source.owner_id, "name": source.name, "kind": source.kind,
            "description": "", "uploadable": "on", "sync_tasks-TOTAL_FORMS": "0",
            "sync_tasks-INITIAL_FORMS": "0"}  # fmt: skip
    return {**data, **{f"setting_{k}": v for k, v in settings.items()}}


def test_settings_saved_from_the_form_are_validated_by_the_kind(staff, make_source):
    source = make_source(kind="timeseries").data_source
    url = f"/admin/catalog/datasource/{source.pk}/change/"
    form = _form(source, delimiter=";", decimal=",", timezone="Europe/Amsterdam",
                 columns='{"timestamp": "datum"}')  # fmt: skip
    assert staff.post(url, form).status_code == 302
    source.refresh_from_db()
    assert source.ingest_settings == {"delimiter": ";", "decimal": ",",
                                      "timezone": "Europe/Amsterdam",
                                      "columns": {"timestamp": "datum"}}  # fmt: skip
    refused = staff.post(url, _form(source, timezone="Mars/Base"))
    assert refused.status_code == 200 and "Mars/Base" in refused.content.decode()
    source.refresh_from_db()
    assert source.ingest_settings["timezone"] == "Europe/Amsterdam"


def test_the_kind_is_fixed_once_a_source_has_uploads(staff, make_source, supplier, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    created = make_source(kind="timeseries")
    url = f"/admin/catalog/datasource/{created.data_source.pk}/change/"
    assert 'name="kind"' in staff.get(url).content.decode()
    upload = SimpleUploadedFile("a.csv", b"location,parameter,timestamp,value\n")
    target = f"/api/v1/sync_tasks/{created.sync_task.pk}/upload/?token={supplier.token}"
    assert api.post(target, {"upload_file": upload}, format="multipart").status_code == 201
    page = staff.get(url).content.decode()
    assert 'name="kind"' not in page and "Timeseries" in page


def test_the_suppliers_picker_offers_only_suppliers(staff, make_source, outsider, consumer):
    source = make_source().data_source
    page = staff.get(f"/admin/catalog/datasource/{source.pk}/change/").content.decode()
    picker = page[page.index('name="suppliers"') :]
    picker = picker[: picker.index("</select>")]
    assert "outsider" in picker and "consumer" not in picker


def test_the_user_form_shows_the_two_roles_plainly(staff, supplier):
    page = staff.get(f"/admin/accounts/user/{supplier.pk}/change/").content.decode()
    assert "Organization and roles" in page
    assert "Supplier: may upload to the data sources" in page
    assert page.index('name="is_data_supplier"') < page.index('name="user_permissions"')
    assert "Django permissions (not used by Sluis)" in page


def test_a_new_source_shows_every_kinds_settings_naming_the_kinds(staff, org):
    page = staff.get("/admin/catalog/datasource/add/").content.decode()
    assert "(kinds: timeseries, vector)" in page or "kinds: timeseries" in page
    form = {"owner": org.pk, "name": "New", "kind": "vector", "description": "",
            "uploadable": "on", "setting_decimal": ",", "setting_id_field": "code",
            "sync_tasks-TOTAL_FORMS": "0", "sync_tasks-INITIAL_FORMS": "0"}  # fmt: skip
    assert staff.post("/admin/catalog/datasource/add/", form).status_code == 302
    assert DataSource.objects.get().ingest_settings == {"decimal": ",", "id_field": "code"}
