"""Who may see and who may run a struggle, pledge, event or solidarity request.

Running is a mandate: the ``run_struggles`` power of a current term whose body
reaches the owner's branch (or the organisation as a whole for what the
organisation owns). Seeing: public things are for everyone, members-only
things for members in good standing of the owning organisation.
"""

from django.utils.translation import gettext as _t

from tribune.lib.errors import NotFound, NotPermitted
from tribune.offices.rules import has_power, mandate_for, reach
from tribune.struggles.models import Visibility

POWER = "run_struggles"


def is_member(viewer, organisation) -> bool:
    return (
        viewer is not None and viewer.organisation_id == organisation.pk and viewer.in_good_standing
    )


def may_see(viewer, obj) -> bool:
    if getattr(obj, "visibility", Visibility.PUBLIC) == Visibility.PUBLIC:
        struggle = getattr(obj, "struggle", None)
        return struggle is None or may_see(viewer, struggle)
    return is_member(viewer, obj.organisation)


def require_visible(viewer, obj):
    """A thing the viewer may not see answers "not found", as if it did not exist."""
    if not may_see(viewer, obj):
        raise NotFound(_t("Not found."))
    return obj


def mandate(member, obj_or_branch, organisation=None):
    """The term under which ``member`` runs what ``obj_or_branch`` owns (NotPermitted otherwise)."""
    branch = getattr(obj_or_branch, "branch", obj_or_branch)
    if (
        member is not None
        and organisation is not None
        and member.organisation_id != organisation.pk
    ):
        raise NotPermitted(_t("Only members of this organisation can do this."))
    return mandate_for(member, POWER, branch)


def branches_run(member, organisation) -> set[int]:
    """Every branch whose struggles, events and tasks ``member`` may run, read once.

    For list pages: asking ``may_run`` per branch or per row would cost a query each.
    """
    if member is None or member.organisation_id != organisation.pk:
        return set()
    try:
        return set(reach(member, POWER))
    except NotPermitted:
        return set()


def may_run(member, obj) -> bool:
    if member is None or member.organisation_id != obj.organisation_id:
        return False
    return has_power(member, POWER, obj.branch)
