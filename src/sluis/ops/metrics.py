"""Prometheus metrics computed from the database at scrape time.

Every figure is a query, not an in-process counter, so any web process answers the same for the
whole installation (several gunicorn workers, several machines) and nothing is lost on restart.
``prometheus_client`` only renders the text exposition format (decision 0011).
"""

from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from sluis.uploads.models import Upload, UploadStatus

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Upper bounds (seconds) of the processing-duration histogram buckets.
DURATION_BUCKETS = (1, 5, 15, 60, 300, 900, 1800, 3600)
FINISHED = (UploadStatus.SUCCEEDED, UploadStatus.FAILED)


class UploadCollector:
    """Yields the upload gauges and the processing-duration histogram."""

    def collect(self):
        yield _uploads_by_status()
        yield from _queue()
        yield _processing_durations()


def _uploads_by_status() -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "sluis_uploads",
        "Uploads in the database by data source kind and status.",
        labels=["kind", "status"],
    )
    rows = Upload.objects.values_list("data_source__kind", "status").annotate(n=Count("id"))
    found = {(kind, status): n for kind, status, n in rows}
    for status in UploadStatus.values:  # every status present, even at zero
        if not any(s == status for _, s in found):
            found[("", status)] = 0
    for (kind, status), n in sorted(found.items()):
        family.add_metric([kind, status], n)
    return family


def _queue():
    figures = Upload.objects.busy().aggregate(
        queued=Count("id", filter=Q(status=UploadStatus.QUEUED)),
        processing=Count("id", filter=Q(status=UploadStatus.PROCESSING)),
        oldest=Min("received_at", filter=Q(status=UploadStatus.QUEUED)),
    )
    yield GaugeMetricFamily(
        "sluis_queue_depth",
        "Uploads waiting to be processed (status queued).",
        value=figures["queued"],
    )
    yield GaugeMetricFamily(
        "sluis_uploads_processing",
        "Uploads a worker is processing now.",
        value=figures["processing"],
    )
    oldest = figures["oldest"]
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    yield GaugeMetricFamily(
        "sluis_queue_oldest_age_seconds",
        "Seconds since the oldest queued upload was received (0 when none is queued).",
        value=max(0.0, age),
    )


def _processing_durations() -> HistogramMetricFamily:
    """Histogram of ``finished_at - started_at`` of finished uploads, per outcome status.

    Bucket counts are conditional counts in one query per status (``finished_at <= started_at +
    bound``), portable across SQLite and PostgreSQL.
    """
    family = HistogramMetricFamily(
        "sluis_upload_processing_seconds",
        "Processing time (started to finished) of finished uploads.",
        labels=["status"],
    )
    timed = Upload.objects.filter(started_at__isnull=False, finished_at__isnull=False)
    for status in FINISHED:
        aggregates = {
            f"le_{bound}": Count(
                "id", filter=Q(finished_at__lte=F("started_at") + timedelta(seconds=bound))
            )
            for bound in DURATION_BUCKETS
        }
        figures = timed.filter(status=status).aggregate(total=Count("id"), **aggregates)
        total_seconds = _duration_sum(timed.filter(status=status))
        buckets = [(str(float(b)), figures[f"le_{b}"]) for b in DURATION_BUCKETS]
        buckets.append(("+Inf", figures["total"]))
        family.add_metric([status], buckets, total_seconds)
    return family


def _duration_sum(uploads) -> float:
    spent = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    total = uploads.aggregate(total=Sum(spent))["total"]
    return total.total_seconds() if total else 0.0


def metrics_render() -> bytes:
    """The text exposition of every Sluis metric, computed now."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(UploadCollector())
    return generate_latest(registry)
