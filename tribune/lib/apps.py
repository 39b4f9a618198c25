from django.apps import AppConfig
from django.db.models.signals import pre_save


def _check_before_save(sender, instance, raw=False, **kwargs) -> None:
    """The net under every write: no model of Tribune's stores what ``inputs`` refuses."""
    if raw or not sender.__module__.startswith("tribune."):
        return
    from tribune.lib.inputs import check_instance

    check_instance(instance)


class LibConfig(AppConfig):
    name = "tribune.lib"
    label = "tribune_lib"

    def ready(self) -> None:
        pre_save.connect(_check_before_save, dispatch_uid="tribune.lib.inputs")
