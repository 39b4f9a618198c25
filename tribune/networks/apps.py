from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "tribune.networks"
    verbose_name = "Networks and coalitions"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tribune.networks import concert, sharing
        from tribune.struggles.models import Event, SolidarityRequest, Struggle
        from tribune.struggles.signals import pledge_counted

        pledge_counted.connect(concert.on_pledge_counted, dispatch_uid="networks-chapter-count")
        for model in (Event, Struggle, SolidarityRequest):
            post_save.connect(
                sharing.on_item_saved,
                sender=model,
                dispatch_uid=f"networks-shared-{model.__name__}",
            )
            post_delete.connect(
                sharing.on_item_deleted,
                sender=model,
                dispatch_uid=f"networks-unshared-{model.__name__}",
            )
