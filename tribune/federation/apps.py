from django.apps import AppConfig


class FederationConfig(AppConfig):
    """Federation between Tribune servers: peer links, signed inboxes, the outbox, witnessing."""

    name = "tribune.federation"
    label = "federation"
    verbose_name = "Federation"

    def ready(self) -> None:
        # The federation's own handlers (peer links, witnessing) register like any app's.
        from tribune.federation import links, network_bridge, witness  # noqa: F401

        network_bridge.connect()
