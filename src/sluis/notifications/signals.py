"""Receivers: an upload's end wakes the notifications worker after the transaction commits."""

from django.db import transaction

from sluis.notifications.tasks import notify_upload_publish
from sluis.uploads.signals import upload_finished


def _on_upload_finished(sender, upload_id: int, **kwargs) -> None:
    transaction.on_commit(lambda: notify_upload_publish(upload_id))


def connect_signals() -> None:
    upload_finished.connect(_on_upload_finished, dispatch_uid="sluis.notifications.upload_finished")
