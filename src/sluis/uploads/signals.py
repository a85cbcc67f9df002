"""Signals of the uploads app.

``upload_received`` is sent (with ``upload_id``) after the transaction that stored an upload as
``queued`` has committed, and again when an administrator requeues one. The processing engine
connects to it to wake a worker; the database stays the source of truth.
"""

from django.dispatch import Signal

upload_received = Signal()
