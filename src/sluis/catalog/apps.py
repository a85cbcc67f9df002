from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "sluis.catalog"
    label = "catalog"
    verbose_name = "Catalog"
