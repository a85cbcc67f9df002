"""The ``raster`` kind: GeoTIFF, NetCDF and ASCII grid members become stored COG frames.

Two phases (see ``sluis.kinds``): every member's header is opened and planned first
(budgets, CRS, timestamps; no pixel read), ``job.check_problems()`` decides, then each frame is
streamed into a local COG and all of them are stored in one short transaction. A frame whose key
(data source, parameter, timestamp) is already stored replaces it. Inside one upload the last
frame with a key wins, with a warning.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from sluis.datastore.rasters.services import raster_frames_store
from sluis.formats.errors import IngestFailed, UnreadableFile
from sluis.formats.records import Counts, Member
from sluis.formats.registry import formats_read_by
from sluis.kinds import IngestJob
from sluis.readers.raster.frames import (
    FramePlan,
    FrameResult,
    RasterBudgets,
    RasterOptions,
    RasterProblem,
    frame_write,
    frames_plan,
)

DEFAULT_PARAMETER = "value"


def raster_budgets() -> RasterBudgets:
    return RasterBudgets(
        max_width=settings.SLUIS_RASTER_MAX_WIDTH,
        max_height=settings.SLUIS_RASTER_MAX_HEIGHT,
        max_bands=settings.SLUIS_RASTER_MAX_BANDS,
        max_pixels=settings.SLUIS_RASTER_MAX_PIXELS,
        max_frames=settings.SLUIS_RASTER_MAX_FRAMES,
        max_block_bytes=settings.SLUIS_RASTER_MAX_BLOCK_BYTES,
    )


def cog_options() -> dict[str, str]:
    """Creation options of every stored COG (the benchmark gives gdal_translate the same)."""
    return {
        "COMPRESS": settings.SLUIS_RASTER_COG_COMPRESS,
        "BLOCKSIZE": str(settings.SLUIS_RASTER_COG_BLOCKSIZE),
        "NUM_THREADS": settings.SLUIS_RASTER_THREADS,
        "BIGTIFF": "IF_SAFER",
    }


class RasterProcessor:
    """Plans every member (header only), then writes COGs and stores them in one transaction."""

    kind = "raster"

    @property
    def formats(self) -> frozenset[str]:
        """Every format with a ``raster`` reader in the format registry."""
        return formats_read_by(self.kind)

    def process(self, job: IngestJob) -> Counts:
        try:
            options = RasterOptions.from_settings(job.ingest_settings, job.received_at)
        except RasterProblem as exc:
            raise IngestFailed(f"The data source's ingest settings: {exc}") from exc
        parameter = job.ingest_settings.get("parameter") or DEFAULT_PARAMETER
        plans = _last_wins(self._plan(job, options), job)
        job.check_problems()
        if not plans:
            raise IngestFailed("No raster could be stored from this upload.")
        work = Path(tempfile.mkdtemp(prefix="sluis-raster-", dir=_work_parent(job)))
        try:
            frames = self._write(job, plans, work)
            job.check_problems()
            counts = raster_frames_store(
                data_source=job.data_source,
                parameter=parameter,
                frames=frames,
                upload_id=job.upload_id,
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        counts.rejected = job.report.rejected
        return counts

    def _plan(self, job: IngestJob, options: RasterOptions) -> list[FramePlan]:
        rasters = [m for m in job.members if m.format not in ("prj", "pam-aux")]
        if not rasters:
            raise IngestFailed(
                "The upload holds no raster file (GeoTIFF, NetCDF, ASCII grid or ERDAS Imagine)."
            )
        budgets = raster_budgets()
        plans: list[FramePlan] = []
        for member in rasters:
            try:
                plans += frames_plan(
                    member, options=options, budgets=budgets, prj=_sidecar(member, job.members)
                )
            except RasterProblem as exc:
                _reject(job, member.name, str(exc))
        if len(plans) > budgets.max_frames:
            raise IngestFailed(
                f"The upload holds {len(plans)} frames; at most {budgets.max_frames} are allowed."
            )
        return plans

    def _write(self, job: IngestJob, plans: list[FramePlan], work: Path) -> list[FrameResult]:
        frames = []
        for number, plan in enumerate(plans):
            try:
                frames.append(
                    frame_write(
                        plan,
                        work / f"frame-{number}.tif",
                        cog_options=cog_options(),
                        cache_mb=settings.SLUIS_RASTER_GDAL_CACHE_MB,
                    )
                )
            except RasterProblem as exc:
                _reject(job, plan.member.name, str(exc))
            except UnreadableFile as exc:
                _reject(job, plan.member.name, f"{plan.label}: {exc.detail}")
        return frames


def _reject(job: IngestJob, name: str, message: str) -> None:
    job.report.add(message, file=name)
    job.report.rejected += 1


def _sidecar(member: Member, members: list[Member]) -> Path | None:
    """The ``.prj`` of an ASCII grid: the engine extracts it with the grid's generated stem."""
    if member.format != "ascii-grid":
        return None
    for other in members:
        if other.format == "prj" and other.path.with_suffix("") == member.path.with_suffix(""):
            return other.path
    return None


def _last_wins(plans: list[FramePlan], job: IngestJob) -> list[FramePlan]:
    by_time: dict = {}
    for plan in plans:
        if plan.timestamp in by_time:
            job.report.warn(
                f"{by_time[plan.timestamp].label} and {plan.label} have the same timestamp "
                f"{plan.timestamp.isoformat()}; the last one is stored."
            )
        by_time[plan.timestamp] = plan
    return list(by_time.values())


def _work_parent(job: IngestJob) -> Path | None:
    """Frames are written beside the extracted members: the engine sized that disk for them."""
    return job.members[0].path.parent if job.members else None
