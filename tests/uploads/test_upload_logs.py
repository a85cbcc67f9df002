"""The web side of the processing log: an accepted upload is logged with what the worker and an
operator need, under the request's id."""

import logging

import pytest

from tests.uploads.conftest import CSV, post_file

pytestmark = pytest.mark.django_db


def test_an_accepted_upload_is_logged_with_its_ids_size_and_format(api, supplier, source, caplog):
    with caplog.at_level(logging.INFO, logger="sluis.uploads"):
        response = post_file(api, source.sync_task.pk, supplier.token, HTTP_X_REQUEST_ID="up-1")
    assert response.status_code == 201
    (record,) = [r for r in caplog.records if getattr(r, "event", "") == "upload.received"]
    assert record.upload_id == response.json()["id"]
    assert (record.data_source_id, record.sync_task_id) == (
        source.data_source.pk,
        source.sync_task.pk,
    )
    assert (record.size, record.detected_format) == (len(CSV), "csv")
    assert (record.user_id, record.request_id) == (supplier.pk, "up-1")
    assert supplier.token not in caplog.text


def test_a_refused_upload_logs_no_received_line(api, supplier, source, caplog):
    with caplog.at_level(logging.INFO, logger="sluis.uploads"):
        response = post_file(api, source.sync_task.pk, supplier.token, content=b"")
    assert response.status_code == 400
    assert not [r for r in caplog.records if getattr(r, "event", "") == "upload.received"]
