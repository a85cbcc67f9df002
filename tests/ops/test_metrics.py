"""Prometheus metrics: who may read them and what they say about uploads."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from sluis.uploads.models import Upload

pytestmark = pytest.mark.django_db
URL = "/api/v1/metrics/"


def samples(response) -> dict[tuple[str, tuple], float]:
    """Every sample of the exposition as ``{(name, sorted labels): value}``."""
    text = response.content.decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def add_upload(source, status, *, seconds=None, received_ago=0.0):
    now = timezone.now()
    started = now - timedelta(seconds=seconds) if seconds is not None else None
    return Upload.objects.create(
        data_source=source.data_source,
        original_filename="a.csv",
        filename="a.csv",
        status=status,
        received_at=now - timedelta(seconds=received_ago),
        started_at=started,
        finished_at=now if seconds is not None else None,
    )


def test_metrics_are_refused_without_a_token(api):
    response = api.get(URL)
    assert response.status_code == 403
    assert response.json()["code"] in {"not_authenticated", "permission_denied"}


def test_metrics_are_refused_to_a_user_who_is_not_staff(api, supplier):
    assert api.get(URL, HTTP_AUTHORIZATION=f"Token {supplier.token}").status_code == 403


def test_a_staff_token_reads_the_metrics(api, admin_user):
    response = api.get(URL, HTTP_AUTHORIZATION=f"Token {admin_user.token}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_the_metrics_token_reads_the_metrics_as_a_bearer_token(api, settings):
    settings.SLUIS_METRICS_TOKEN = "scrape-secret-123"
    response = api.get(URL, HTTP_AUTHORIZATION="Bearer scrape-secret-123")
    assert response.status_code == 200
    assert api.get(URL, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403


def test_an_empty_metrics_token_setting_admits_no_one(api, settings):
    settings.SLUIS_METRICS_TOKEN = ""
    assert api.get(URL + "?token=").status_code == 403


def test_metrics_count_uploads_by_kind_and_status_and_the_queue(api, settings, make_source):
    settings.SLUIS_METRICS_TOKEN = "scrape"
    levels = make_source(name="Levels", kind="timeseries")
    parcels = make_source(name="Parcels", kind="vector")
    add_upload(levels, "succeeded", seconds=2)
    add_upload(levels, "succeeded", seconds=30)
    add_upload(levels, "failed", seconds=0.5)
    add_upload(levels, "queued", received_ago=120)
    add_upload(parcels, "processing")

    got = samples(api.get(URL, HTTP_AUTHORIZATION="Bearer scrape"))

    assert got[("sluis_uploads", (("kind", "timeseries"), ("status", "succeeded")))] == 2
    assert got[("sluis_uploads", (("kind", "timeseries"), ("status", "failed")))] == 1
    assert got[("sluis_uploads", (("kind", "timeseries"), ("status", "queued")))] == 1
    assert got[("sluis_uploads", (("kind", "vector"), ("status", "processing")))] == 1
    assert got[("sluis_queue_depth", ())] == 1
    assert got[("sluis_uploads_processing", ())] == 1
    assert 119 <= got[("sluis_queue_oldest_age_seconds", ())] < 180


def test_metrics_histogram_processing_durations_from_started_to_finished(
    api, settings, make_source
):
    settings.SLUIS_METRICS_TOKEN = "scrape"
    levels = make_source(name="Levels", kind="timeseries")
    add_upload(levels, "succeeded", seconds=2)
    add_upload(levels, "succeeded", seconds=30)
    add_upload(levels, "failed", seconds=0.5)

    got = samples(api.get(URL, HTTP_AUTHORIZATION="Bearer scrape"))

    def bucket(status, le):
        return got[("sluis_upload_processing_seconds_bucket", (("le", le), ("status", status)))]

    assert bucket("succeeded", "1.0") == 0
    assert bucket("succeeded", "5.0") == 1
    assert bucket("succeeded", "60.0") == 2
    assert bucket("succeeded", "+Inf") == 2
    assert got[("sluis_upload_processing_seconds_count", (("status", "succeeded"),))] == 2
    assert got[("sluis_upload_processing_seconds_sum", (("status", "succeeded"),))] == (
        pytest.approx(32, abs=0.01)
    )
    assert bucket("failed", "1.0") == 1
    assert got[("sluis_upload_processing_seconds_sum", (("status", "failed"),))] == (
        pytest.approx(0.5, abs=0.01)
    )


def test_metrics_of_an_empty_installation_are_zero_not_missing(api, admin_user):
    got = samples(api.get(URL, HTTP_AUTHORIZATION=f"Token {admin_user.token}"))
    assert got[("sluis_queue_depth", ())] == 0
    assert got[("sluis_queue_oldest_age_seconds", ())] == 0
    assert got[("sluis_uploads", (("kind", ""), ("status", "queued")))] == 0
    assert got[("sluis_upload_processing_seconds_count", (("status", "failed"),))] == 0
