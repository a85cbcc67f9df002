"""Test data of the client tests, built in the tests."""

from datetime import timedelta

from django.utils import timezone

from sluis.uploads.models import Upload

GOOD_CSV = (
    "location,parameter,timestamp,value\n"
    "gauge-1,waterlevel,2024-01-01T00:00:00Z,1.25\n"
    "gauge-1,waterlevel,2024-01-01T01:00:00Z,1.30\n"
    "gauge-2,waterlevel,2024-01-01T00:00:00Z,0.95\n"
)
BAD_CSV = (
    "location,parameter,timestamp,value\n"
    "gauge-1,waterlevel,2024-01-01T00:00:00Z,1.25\n"
    "gauge-1,waterlevel,2024-01-01T01:00:00Z,not-a-number\n"
)


def busy_upload(source, status="processing"):
    """An upload that holds ``source`` busy, as one being processed right now would."""
    return Upload.objects.create(
        data_source=source.data_source,
        sync_task=source.sync_task,
        original_filename="earlier.csv",
        filename="earlier.csv",
        status=status,
        received_at=timezone.now(),
        started_at=timezone.now(),
        lease_expires_at=timezone.now() + timedelta(hours=1),
    )
