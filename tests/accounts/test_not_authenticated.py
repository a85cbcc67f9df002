"""Every endpoint that needs a caller refuses an anonymous one with the same 403 body, and the
public ones stay public: authentication is DRF's default permission, not a check per view."""

import pytest

from sluis.accounts.errors import NotAuthenticated

pytestmark = pytest.mark.django_db

PUBLIC = {"/api/v1/sync_tasks/", "/api/v1/sync_tasks_new/", "/api/v1/health/", "/api/v1/ready/"}
PROTECTED = [
    "/api/v1/timeseries/",
    "/api/v1/events/?timeseries_id=1",
    "/api/v1/rasters/",
    "/api/v1/rasters/1/",
    "/api/v1/rasters/values/?data_source=1&lon=0&lat=0",
    "/api/v1/files/",
    "/api/v1/files/1/",
    "/api/v1/features/?data_source=1",
    "/api/v1/features/1/",
    "/api/v1/wfs/?typenames=1",
    "/api/v1/uploads/",
    "/api/v1/uploads/1/",
    "/api/v1/uploads/1/original/",
    "/api/v1/sync_tasks/1/uploads/",
    "/api/v1/metrics/",
]
ONE_BODY = {"detail": NotAuthenticated.default_detail, "code": "not_authenticated"}


@pytest.mark.parametrize("path", PROTECTED)
def test_an_anonymous_caller_gets_the_one_not_authenticated_body(api, path):
    response = api.get(path)
    assert response.status_code == 403
    assert response.json() == ONE_BODY


def test_an_anonymous_upload_gets_the_same_body(api, make_source):
    task = make_source().sync_task
    response = api.post(f"/api/v1/sync_tasks/{task.pk}/upload/", {}, format="multipart")
    assert response.status_code == 403 and response.json() == ONE_BODY


@pytest.mark.parametrize("path", sorted(PUBLIC))
def test_the_public_endpoints_answer_anonymous_callers(api, path):
    assert api.get(path).status_code == 200
