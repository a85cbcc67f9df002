"""A scriptable processor for the engine's tests, loaded with SLUIS_EXTRA_PROCESSORS.

It registers the kind ``sluis-test`` (never a real kind, so it replaces nothing). Each line of a
member is a command: ``put key=value`` stores a value, ``bad value`` reports a problem,
``sleep s`` sleeps, ``block-on-attempt n`` blocks while the attempt is ≤ n (until killed),
``die`` kills its own process with SIGKILL, ``crash`` raises a bug, ``hang`` ignores the soft
time limit forever.
It reads everything first, then writes once (two-phase, like the real kinds): the stored data is
a JSON object per data source in object storage, ``teststore/<data source id>.json``. Every
attempt leaves a marker ``<data dir>/test-markers/<upload>-<attempt>`` holding its pid.
"""

import json
import os
import signal
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile

from sluis.formats.records import Counts
from sluis.kinds import IngestJob, Kind, kind_register
from sluis.uploads.models import Upload
from sluis.uploads.storage import object_storage

KIND = "sluis-test"


def store_key(data_source_id: int) -> str:
    return f"teststore/{data_source_id}.json"


def stored(data_source_id: int) -> dict:
    storage = object_storage()
    if not storage.exists(store_key(data_source_id)):
        return {}
    with storage.open(store_key(data_source_id), "rb") as handle:
        return json.load(handle)


def markers_dir():
    folder = settings.DATA_DIR / "test-markers"
    folder.mkdir(exist_ok=True)
    return folder


class ScriptedProcessor:
    kind = KIND
    formats = frozenset({"txt", "csv"})

    def process(self, job: IngestJob) -> Counts:
        attempt = Upload.objects.get(pk=job.upload_id).attempts
        (markers_dir() / f"{job.upload_id}-{attempt}").write_text(str(os.getpid()))
        records: dict[str, str] = {}
        for member in job.members:
            for number, line in enumerate(member.path.read_text().splitlines(), start=1):
                self.run(line, number, member.name, attempt, job, records)
        job.check_problems()
        return self.write(job.data_source.pk, records)

    def run(self, line, number, name, attempt, job, records) -> None:
        command, _, argument = line.partition(" ")
        if command == "put":
            key, _, value = argument.partition("=")
            records[key] = value
        elif command == "bad":
            job.report.add("not a number", file=name, line=number, field="value", value=argument)
        elif command == "bad-nul":
            job.report.add("has NUL", file=name, line=number, value="a\x00b\udcff")
        elif command == "sleep":
            time.sleep(float(argument))
        elif command == "block-on-attempt" and attempt <= int(argument):
            while True:
                time.sleep(0.05)
        elif command == "crash":
            raise RuntimeError("a bug in a reader")
        elif command == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        elif command == "hang":
            while True:
                try:
                    time.sleep(0.05)
                except SoftTimeLimitExceeded:
                    pass

    def write(self, data_source_id: int, records: dict[str, str]) -> Counts:
        data = stored(data_source_id)
        counts = Counts()
        for key, value in records.items():
            if key not in data:
                counts.inserted += 1
            elif data[key] != value:
                counts.updated += 1
            else:
                counts.unchanged += 1
            data[key] = value
        storage = object_storage()
        if storage.exists(store_key(data_source_id)):
            storage.delete(store_key(data_source_id))
        storage.save(store_key(data_source_id), ContentFile(json.dumps(data).encode()))
        return counts


kind_register(Kind(name=KIND, label="Scripted test kind", processor=ScriptedProcessor()))
