"""Who may do what in education.

* Writing a course is an act of a mandate: the ``plan_courses`` power of a
  current term (the course's readings come from the archive; its first
  facilitators, its founders, are named with it).
* Facilitating is **not** a mandate and nobody appoints to it: a member in good
  standing who completed a course (or founded it) may open a circle of it, or
  join one as a facilitator. That is the whole rule.
* Education is for members in good standing: others are refused (403), with the reason.
* Who attended what is personal data: the member sees their own, a circle's
  facilitators see their circle's (they keep it); no one else does, not even
  officers, and nothing of it reaches a public page, the API's other answers or
  the audit log.
"""

from django.utils.translation import gettext as _t

from tribune.lib.errors import NotPermitted
from tribune.offices.rules import mandate_for

POWER = "plan_courses"


def is_member(viewer, organisation) -> bool:
    return (
        viewer is not None and viewer.organisation_id == organisation.pk and viewer.in_good_standing
    )


def require_member(viewer, organisation) -> None:
    """Education is the members' own: others are refused with the reason (403)."""
    if not is_member(viewer, organisation):
        raise NotPermitted(
            _t("Only members in good standing can see the organisation's courses and circles.")
        )


def planner_term(member, organisation):
    if member is None or member.organisation_id != organisation.pk:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    return mandate_for(member, POWER)


def graduated_from(member, course):
    """``(eligible, circle)``: may ``member`` facilitate ``course``, and from which circle.

    A completion gives the circle it was earned in; a founder of the course has
    none (they wrote it). Nothing else makes a facilitator.
    """
    from tribune.education.models import Completion

    if member is None or member.organisation_id != course.organisation_id:
        return False, None
    if not member.in_good_standing:
        return False, None
    done = Completion.objects.filter(course=course, member=member).first()
    if done is not None:
        return True, done.circle
    return course.founders.filter(pk=member.pk).exists(), None


def may_facilitate(member, course) -> bool:
    return graduated_from(member, course)[0]


def facilitates(member, circle) -> bool:
    return member is not None and circle.facilitators.filter(member=member).exists()


def may_see_attendance(viewer, circle, member_id: int) -> bool:
    """The member themself and the circle's facilitators; no one else."""
    if viewer is None or not viewer.in_good_standing:
        return False
    return viewer.pk == member_id or facilitates(viewer, circle)


def may_plan(member, organisation) -> bool:
    try:
        planner_term(member, organisation)
    except NotPermitted:
        return False
    return True


def may_reschedule(member, circle):
    """Who may move or cancel a circle's session: its facilitators, or a ``plan_courses`` term.

    Returns the term when the mandate is what permits it (None for a facilitator);
    raises NotPermitted for anyone else.
    """
    if member is None or member.organisation_id != circle.organisation_id:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    if member.in_good_standing and facilitates(member, circle):
        return None
    try:
        return planner_term(member, circle.organisation)
    except NotPermitted:
        raise NotPermitted(
            _t(
                "Only the circle's facilitators (or those who plan courses) may move or "
                "cancel its sessions."
            )
        ) from None
