from django.apps import AppConfig

from sluis.kinds import kind_register


class RastersConfig(AppConfig):
    name = "sluis.datastore.rasters"
    label = "datastore_rasters"
    verbose_name = "Stored rasters"

    def ready(self) -> None:
        # Imported here, not at the top: a kind's processor and exporters use this app's
        # models, which Django loads only after every AppConfig is created.
        from sluis.datastore.rasters.kind import KIND

        kind_register(KIND)
