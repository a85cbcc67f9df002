"""Stored timeseries: one ``Series`` per (data source, location, parameter), its ``Event``s.

Merge rule (docs/formats/timeseries.md): uploads append; an event whose (series, timestamp) is
already stored is overwritten; stored events outside the upload are untouched. Events are written
only by the bulk path in ``sluis.datastore.timeseries.bulk``, which also keeps the per-series
summary (``event_count``, ``first_timestamp``, ``last_timestamp``) exact: events are never deleted
one by one, so the summary only grows and never needs a full recount.
"""

from django.db import models

from sluis.catalog.models import DataSource


class Series(models.Model):
    """A location and parameter of one data source; the unit is the latest one uploaded."""

    data_source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="series")
    location = models.CharField(max_length=200)
    parameter = models.CharField(max_length=200)
    unit = models.CharField(max_length=50, blank=True)
    event_count = models.BigIntegerField(default=0)
    first_timestamp = models.DateTimeField(null=True, blank=True)
    last_timestamp = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "ts_series"
        ordering = ["data_source_id", "location", "parameter"]
        verbose_name_plural = "series"
        constraints = [
            models.UniqueConstraint(
                fields=["data_source", "location", "parameter"], name="ts_series_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.location}/{self.parameter}"


class Event(models.Model):
    """One measurement. The primary key *is* the merge key, so the table has a single index."""

    pk = models.CompositePrimaryKey("series_id", "timestamp")
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    timestamp = models.DateTimeField()
    value = models.FloatField()
    flag = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        db_table = "ts_event"
        ordering = ["series_id", "timestamp"]

    def __str__(self) -> str:
        return f"{self.series_id} {self.timestamp.isoformat()} {self.value}"
