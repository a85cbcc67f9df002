"""Ids beyond the database's integer range are plain 404s, never 500s."""

import pytest

from tests.uploads.conftest import field_part, file_part, multipart, post_file, post_raw

pytestmark = pytest.mark.django_db

HUGE = "9" * 30


def test_a_huge_sync_task_id_is_404(api, supplier):
    assert post_file(api, HUGE, supplier.token).status_code == 404
    assert (
        api.get(f"/api/v1/sync_tasks/{HUGE}/uploads/", {"token": supplier.token}).status_code == 404
    )


def test_a_huge_upload_id_is_404(api, supplier):
    assert api.get(f"/api/v1/uploads/{HUGE}/", {"token": supplier.token}).status_code == 404


def test_a_huge_legacy_datasource_id_is_404(api, supplier, source):
    body = multipart(field_part("datasource", HUGE.encode()), file_part("a.csv"))
    response = post_raw(api, f"/api/v1/uploads/?token={supplier.token}", body)
    assert response.status_code == 404
