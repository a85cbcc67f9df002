from django.apps import AppConfig


class OgcConfig(AppConfig):
    name = "sluis.ogc"
    label = "ogc"
    verbose_name = "OGC services"
