from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "tribune.education"
    verbose_name = "Education"

    def ready(self) -> None:
        from tribune.struggles.signals import event_changed, event_moving

        event_changed.connect(_event_changed, dispatch_uid="education.recount")
        event_moving.connect(_event_moving, dispatch_uid="education.course_order")


def _event_changed(sender, event, **kwargs) -> None:
    """A circle session's event moved or was cancelled, from any page: recount completions."""
    from tribune.education.services import recount_for_event

    recount_for_event(event)


def _event_moving(sender, event, starts_at, ends_at, **kwargs) -> None:
    """An event is about to move, from any page: a circle's session keeps the course's order."""
    from tribune.education.services import keep_course_order

    keep_course_order(event, starts_at)
