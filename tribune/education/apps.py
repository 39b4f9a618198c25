from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class EducationConfig(AppConfig):
    name = "tribune.education"
    verbose_name = "Education"

    def ready(self) -> None:
        from tribune.struggles.signals import event_changed, event_moving

        event_changed.connect(_event_changed, dispatch_uid="education.recount")
        event_moving.connect(_event_moving, dispatch_uid="education.course_order")
        from tribune.education.models import Completion, Course

        post_save.connect(_counted_changed, sender=Completion, dispatch_uid="figures.completed")
        post_delete.connect(_counted_changed, sender=Completion, dispatch_uid="figures.taken")
        post_delete.connect(_counted_changed, sender=Course, dispatch_uid="figures.course")
        m2m_changed.connect(
            _founders_changed, sender=Course.founders.through, dispatch_uid="figures.founders"
        )


def _event_changed(sender, event, **kwargs) -> None:
    """A circle session's event moved or was cancelled, from any page: recount completions."""
    from tribune.education.services import recount_for_event

    recount_for_event(event)


def _event_moving(sender, event, starts_at, ends_at, **kwargs) -> None:
    """An event is about to move, from any page: a circle's session keeps the course's order."""
    from tribune.education.services import keep_course_order

    keep_course_order(event, starts_at)


def _counted_changed(sender, instance, **kwargs) -> None:
    """A completion or a course changed: the spread of education is counted again."""
    from tribune.education.models import Course
    from tribune.lib import figures

    if isinstance(instance, Course):
        organisation_id = instance.organisation_id
    else:  # the course itself may be going in the same deletion
        organisation_id = (
            Course.objects.filter(pk=instance.course_id).values_list("organisation", flat=True)
        ).first()
    if organisation_id is not None:
        figures.changed(organisation_id)


def _founders_changed(sender, instance, action, **kwargs) -> None:
    """A course's writers changed (they may facilitate it): the spread is counted again."""
    from tribune.lib import figures

    if action.startswith("post_"):
        figures.changed(instance.organisation_id)
