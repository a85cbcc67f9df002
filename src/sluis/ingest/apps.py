from importlib import import_module

from django.apps import AppConfig
from django.conf import settings


class IngestConfig(AppConfig):
    name = "sluis.ingest"
    label = "ingest"

    def ready(self) -> None:
        import sluis.ingest.writers  # noqa: F401  (registers the kind processors)
        from sluis.ingest.signals import connect_signals

        # Plugins (SLUIS_EXTRA_PROCESSORS): modules that call ``register_processor`` when
        # imported; loaded after the built-in processors so they may replace one.
        for module in settings.SLUIS_EXTRA_PROCESSORS:
            import_module(module)
        connect_signals()
