from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "sluis.ingest"
    label = "ingest"
