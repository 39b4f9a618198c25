from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tribune.accounts"

    def ready(self) -> None:
        from tribune.accounts import language  # noqa: F401  (connects the login signal)
