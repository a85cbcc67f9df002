"""An export reads one snapshot of the database and takes no write lock meanwhile."""

import threading

import pytest
from django.db import connection

from sluis.catalog.models import DataSource
from sluis.transfer.services import _read_snapshot


@pytest.mark.django_db(transaction=True)
def test_a_write_during_the_export_goes_through_and_stays_out_of_it(make_source):
    make_source(name="Levels")
    outcome = []

    def write_elsewhere():  # a thread has its own database connection
        try:
            outcome.append(make_source(name="Added meanwhile").data_source.pk)
        except Exception as exc:  # reported below, not lost in the thread
            outcome.append(exc)
        finally:
            connection.close()

    with _read_snapshot():
        before = DataSource.objects.count()
        writer = threading.Thread(target=write_elsewhere)
        writer.start()
        writer.join(timeout=60)
        assert isinstance(outcome[0], int), outcome
        assert DataSource.objects.count() == before
    assert DataSource.objects.count() == before + 1
