from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sluis.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from sluis.accounts import schema  # noqa: F401  (registers the OpenAPI extension)
