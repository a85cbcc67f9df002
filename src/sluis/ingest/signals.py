"""Wiring: an upload stored as ``queued`` (or requeued) wakes a worker."""

from sluis.uploads.signals import upload_received


def _on_upload_received(sender, upload_id: int, **kwargs) -> None:
    from sluis.ingest.services import upload_enqueue

    upload_enqueue(upload_id=upload_id)


def connect_signals() -> None:
    upload_received.connect(_on_upload_received, dispatch_uid="sluis.ingest.enqueue")
