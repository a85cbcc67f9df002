"""The embedded broker: kombu's filesystem transport, safe for several processes.

kombu's own transport creates a message file under its final name and then writes it, and a
consumer moves away any file it lists: a worker could read a message that was still being
written (``JSONDecodeError``) and die of it. Here a message is written under a hidden temporary
name, synced and renamed into place, so it appears whole or not at all; a consumer claims a file
by renaming it into a folder on the same filesystem (one consumer wins), and a message that
still cannot be read (a file left by hand, a disk fault) is logged and skipped, never fatal.
"""

import logging
import os
import uuid
from queue import Empty
from time import monotonic, sleep

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    # kombu creates an exchange's table file empty, then locks and fills it: a reader (or a
    # second binder) that opens it in between reads "" and fails on the JSON. The first bind is
    # over within milliseconds, so a short retry sees the filled table.
    def get_table(self, exchange):
        return _retried(lambda: super(Channel, self).get_table(exchange))

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        return _retried(
            lambda: super(Channel, self)._queue_bind(exchange, routing_key, pattern, queue)
        )

    def _put(self, queue, message, **kwargs):  # type: ignore[override]
        """Write the message under a hidden name, sync it, then rename it into the queue."""
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        temporary = os.path.join(self.data_folder_out, f".{name}.tmp")
        try:
            with open(temporary, "wb") as handle:
                handle.write(str_to_bytes(dumps(message)))
                handle.flush()
                os.fsync(handle.fileno())
            os.rename(temporary, final)
        except OSError as exc:
            _remove(temporary)
            raise ChannelError(f"Cannot add a message to {self.data_folder_out!r}") from exc

    def _get(self, queue, timeout=None):
        """The oldest whole message of ``queue``; malformed ones are logged and skipped."""
        wanted = f"{queue}.msg"
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != wanted:
                continue
            payload = self._claim(filename)
            if payload is None:
                continue  # another consumer claimed it first
            message = _message(payload)
            if message is not None:
                return message
            logger.error(
                "skipped a malformed message %s in the embedded broker's queue",
                filename,
                extra={"event": "broker.malformed_message", "message_file": filename},
            )
        raise Empty()

    def _claim(self, filename: str) -> bytes | None:
        claimed = os.path.join(self.claimed_folder, filename)
        try:
            os.rename(os.path.join(self.data_folder_in, filename), claimed)
        except OSError:
            return None
        try:
            with open(claimed, "rb") as handle:
                return handle.read()
        finally:
            _remove(claimed)

    @property
    def claimed_folder(self) -> str:
        return self.transport_options.get("claimed_folder") or self.data_folder_in


def _message(payload: bytes) -> dict | None:
    """The decoded message, or None when it is not a complete kombu message."""
    try:
        message = loads(bytes_to_str(payload))
    except ValueError:
        return None
    properties = message.get("properties") if isinstance(message, dict) else None
    if not isinstance(properties, dict):
        return None
    if not isinstance(properties.get("delivery_info"), dict) or "delivery_tag" not in properties:
        return None
    return message


def _retried(call):
    for _ in range(100):
        try:
            return call()
        except ValueError:  # json's JSONDecodeError: a table being created right now
            sleep(0.01)
    return call()


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


class Transport(filesystem.Transport):
    """``broker_transport`` of the embedded mode (see ``sluis.config.celery``)."""

    Channel = Channel
