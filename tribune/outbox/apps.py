from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Outgoing email: queued with the action that causes it, delivered with retries."""

    name = "tribune.outbox"
    label = "outbox"
    verbose_name = "Outgoing email"
