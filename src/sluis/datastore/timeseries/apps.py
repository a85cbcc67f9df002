from django.apps import AppConfig

from sluis.kinds import kind_register


class TimeseriesConfig(AppConfig):
    name = "sluis.datastore.timeseries"
    label = "datastore_timeseries"
    verbose_name = "Stored timeseries"

    def ready(self) -> None:
        # Imported here, not at the top: a kind's processor and exporters use this app's
        # models, which Django loads only after every AppConfig is created.
        from sluis.datastore.timeseries.kind import KIND

        kind_register(KIND)
