from django.apps import AppConfig

from sluis.kinds import kind_register


class VectorConfig(AppConfig):
    name = "sluis.datastore.vector"
    label = "datastore_vector"
    verbose_name = "Stored vector"

    def ready(self) -> None:
        # Imported here, not at the top: a kind's processor and exporters use this app's
        # models, which Django loads only after every AppConfig is created.
        from sluis.datastore.vector.kind import KIND

        kind_register(KIND)
