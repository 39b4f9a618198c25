from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Tribune: deploy checks, backup and restore, health, metrics and request logs."""

    name = "tribune.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from tribune.ops import checks  # noqa: F401 (registers the deploy checks)
