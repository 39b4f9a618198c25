from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "tribune.networks"
    verbose_name = "Networks and coalitions"

    def ready(self) -> None:
        from tribune.networks import concert
        from tribune.struggles.signals import pledge_counted

        pledge_counted.connect(concert.on_pledge_counted, dispatch_uid="networks-chapter-count")
