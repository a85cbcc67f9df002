from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sluis.web"
    label = "web"
