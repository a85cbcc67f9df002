from django.apps import AppConfig


class DatastoreConfig(AppConfig):
    name = "sluis.datastore"
    label = "datastore"
