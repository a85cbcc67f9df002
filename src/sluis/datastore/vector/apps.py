from django.apps import AppConfig


class VectorConfig(AppConfig):
    name = "sluis.datastore.vector"
    label = "datastore_vector"
    verbose_name = "Stored vector"
