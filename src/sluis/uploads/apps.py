from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "sluis.uploads"
    label = "uploads"
