"""The ``vector`` kind: read the upload's one dataset, then replace the stored features.

Two phases over one invisible version: every batch is read and validated (problems collected
in ``job.report``) and, while no problem blocks the upload, staged into a ``building`` version;
``job.check_problems()`` then decides, and only after it passes is the version switched to in
one short transaction. A failure anywhere leaves the previous version current and complete.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings

from sluis.datastore.vector.services import vector_dataset_replace
from sluis.formats.errors import NoFeatures
from sluis.formats.records import Counts
from sluis.formats.registry import formats_read_by
from sluis.kinds import IngestJob
from sluis.readers.vector.datasets import vector_rows
from sluis.readers.vector.features import FeatureBatch, VectorOptions


class VectorProcessor:
    kind = "vector"

    @property
    def formats(self) -> frozenset[str]:
        """Every format with a ``vector`` reader in the format registry."""
        return formats_read_by(self.kind)

    def process(self, job: IngestJob) -> Counts:
        staged = [0]

        def before_publish() -> None:
            job.check_problems()
            if not staged[0]:
                raise NoFeatures()  # an empty upload never wipes a dataset

        counts = vector_dataset_replace(
            data_source=job.data_source,
            batches=self._staged(job, staged),
            upload_id=job.upload_id,
            before_publish=before_publish,
        )
        counts.rejected = job.report.rejected
        return counts

    def _staged(self, job: IngestJob, staged: list[int]) -> Iterator[FeatureBatch]:
        """Every batch is read and validated; once a problem fails the upload, none is staged."""
        for batch in vector_rows(job.members, vector_options(job.ingest_settings), job.report):
            if job.report.has_problems and not job.skip_invalid_rows:
                continue
            staged[0] += len(batch)
            yield batch


def vector_options(ingest_settings: dict) -> VectorOptions:
    return VectorOptions.from_settings(
        ingest_settings,
        geojson_max_bytes=settings.SLUIS_VECTOR_GEOJSON_MAX_BYTES,
        max_features=settings.SLUIS_VECTOR_MAX_FEATURES,
        batch_size=settings.SLUIS_VECTOR_BATCH_SIZE,
    )
