from django.apps import AppConfig


class RastersConfig(AppConfig):
    name = "sluis.datastore.rasters"
    label = "datastore_rasters"
    verbose_name = "Stored rasters"
