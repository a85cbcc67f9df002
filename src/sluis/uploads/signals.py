"""Signals of the uploads app.

``upload_finished`` is sent (with ``upload_id``) inside the transaction that records an upload as
``succeeded`` or ``failed`` (``ingest.lifecycle`` for the processing outcome,
``uploads.administration.upload_fail_by_administrator`` for an administrator's); receivers that
act outside the database defer that with ``transaction.on_commit``. Notifications (webhooks,
e-mail) connect to it, so the processing engine never imports them.
"""

from django.dispatch import Signal

upload_finished = Signal()
"""Wiring: an upload reached ``succeeded`` or ``failed`` (sent inside the recording transaction)."""
