from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "sluis.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from sluis.notifications.signals import connect_signals

        connect_signals()
