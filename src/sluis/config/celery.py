"""The Celery app that runs ``sluis.ingest.tasks`` (``sluis worker``, and inside ``sluis serve``).

Two modes, one task code (decision 0004):

- **embedded** (``SLUIS_BROKER_URL`` empty): kombu's filesystem transport in
  ``$SLUIS_DATA_DIR/broker``, with atomic message files (``sluis.config.broker``, URL scheme
  ``sluisfs``). No broker server; the web processes drop message files there and the worker
  started by ``sluis serve`` picks them up.
- **scale-out**: ``SLUIS_BROKER_URL=redis://...`` or ``amqp://...``; any number of ``sluis
  worker`` processes on any number of machines.

The broker is only a wake-up: the database says what must be processed, and the sweeper
(``sluis.ingest.sweeper``) re-sends lost wake-ups. Every message carries an upload id only.
"""

import logging
import logging.config
import os
from typing import Any

from celery import Celery, signals
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sluis.config.settings")

from django.conf import settings

# The embedded transport: kombu's filesystem transport whose messages appear whole or not at
# all and whose consumer skips a malformed message instead of dying (sluis.config.broker).
TRANSPORT_ALIASES["sluisfs"] = "sluis.config.broker:Transport"


def broker_url() -> str:
    # kombu warns on every connection of a URL without a host; the folders are in the options
    return settings.SLUIS_BROKER_URL or "sluisfs://localhost//"


def is_embedded() -> bool:
    return not settings.SLUIS_BROKER_URL


def broker_transport_options(url: str | None = None) -> dict[str, Any]:
    """Transport options for ``url``: folders for the embedded transport, visibility timeout
    (above the hard time limit plus the lease margin) for Redis."""
    url = url or broker_url()
    if url.startswith(("sluisfs", "filesystem")):
        folder = settings.SLUIS_BROKER_DIR
        for sub in ("queue", "control", "claimed"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "claimed_folder": str(folder / "claimed"),
            "polling_interval": 0.2,
        }
    if url.startswith(("redis", "rediss")):
        return {
            "visibility_timeout": settings.SLUIS_BROKER_VISIBILITY_TIMEOUT,
            "socket_connect_timeout": 5,
            "socket_timeout": 30,
        }
    return {}


def celery_options() -> dict[str, Any]:
    return {
        "broker_url": broker_url(),
        "broker_transport_options": broker_transport_options(),
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "task_default_queue": settings.SLUIS_QUEUE,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_time_limit": settings.SLUIS_TASK_TIME_LIMIT,
        "task_soft_time_limit": settings.SLUIS_TASK_SOFT_TIME_LIMIT,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "worker_prefetch_multiplier": 1,
        "worker_concurrency": settings.SLUIS_WORKER_CONCURRENCY,
        "worker_hijack_root_logger": False,
        "worker_send_task_events": False,
        "imports": ["sluis.ingest.tasks", "sluis.notifications.tasks"],
    }


app = Celery("sluis")
app.conf.update(celery_options())


@signals.setup_logging.connect
def _sluis_logging(loglevel: int | str | None = None, **kwargs: Any) -> None:
    """Celery configures no logging of its own (a receiver here tells it so): its lines and the
    tasks' go through ``settings.LOGGING``, the same format and token redaction as the web."""
    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
