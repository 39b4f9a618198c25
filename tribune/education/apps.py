from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "tribune.education"
    verbose_name = "Education"

    def ready(self) -> None:
        from tribune.struggles.signals import event_changed

        event_changed.connect(_event_changed, dispatch_uid="education.recount")


def _event_changed(sender, event, **kwargs) -> None:
    """A circle session's event moved or was cancelled, from any page: recount completions."""
    from tribune.education.services import recount_for_event

    recount_for_event(event)
