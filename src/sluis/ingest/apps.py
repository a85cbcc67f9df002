from importlib import import_module

from django.apps import AppConfig
from django.conf import settings


class IngestConfig(AppConfig):
    name = "sluis.ingest"
    label = "ingest"

    def ready(self) -> None:
        # Plugins (SLUIS_EXTRA_PROCESSORS): modules that call ``sluis.kinds.kind_register`` (and
        # ``sluis.formats.registry.format_register``) when imported. This app is listed after the
        # kind apps, so a plugin may replace a built-in kind.
        for module in settings.SLUIS_EXTRA_PROCESSORS:
            import_module(module)
