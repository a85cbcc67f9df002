from django.apps import AppConfig


class TimeseriesConfig(AppConfig):
    name = "sluis.datastore.timeseries"
    label = "datastore_timeseries"
    verbose_name = "Stored timeseries"
