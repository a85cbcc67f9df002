from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "sluis.datastore.files"
    label = "datastore_files"
    verbose_name = "Stored files"
