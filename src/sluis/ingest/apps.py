from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "sluis.ingest"
    label = "ingest"

    def ready(self) -> None:
        import sluis.ingest.writers  # noqa: F401  (registers the kind processors)
