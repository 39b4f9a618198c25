from django.apps import AppConfig
from django.db.models.signals import post_save


class MembersConfig(AppConfig):
    name = "tribune.members"

    def ready(self) -> None:
        post_save.connect(_member_saved, sender="members.Member", dispatch_uid="members.figures")


def _member_saved(sender, instance, **kwargs) -> None:
    """A member joined, moved branch or changed standing: the counted figures are old."""
    from tribune.lib import figures

    figures.changed(instance.organisation_id)
