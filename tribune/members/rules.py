"""Who may read whose name: the membership is for the members.

Who belongs to the organisation is political data: an employer, a landlord or
a hostile government would like the list. So the names of members — in an
assembly's participants, a named vote, a speakers list, the mover of a motion
— are read only by members in good standing of the same organisation. Anyone
else (logged out, an applicant, a suspended member, a member of another
organisation) still sees everything that counts without naming: how many took
part, how many voted which way, whether a motion carried.

Deliberately *not* covered here, because the act is public by its nature:
the holders of offices (power is exercised in the open, and the audit log
names the officer), candidates for office (standing is a public act), and what
a member chooses to publish under their own name (debate is for members anyway).
"""

from django.utils.translation import gettext as _t

from tribune.lib.errors import NotPermitted


def sees_member_names(viewer, organisation) -> bool:
    """Whether ``viewer`` (a Member or None) may read the names of ``organisation``'s members."""
    return (
        viewer is not None and viewer.organisation_id == organisation.pk and viewer.in_good_standing
    )


def require_member_names(viewer, organisation) -> None:
    """Refuse, with the reason, a reader who may not see members' names."""
    if not sees_member_names(viewer, organisation):
        raise NotPermitted(
            _t("Only members in good standing of this organisation see who its members are.")
        )


def appeal_body_seat(viewer, organisation):
    """The appeal body, if ``viewer`` sits on it now; NotPermitted otherwise (the appeals page)."""
    if viewer is None or not viewer.in_good_standing:
        raise NotPermitted(_t("Only members in good standing can see this page."))
    body = organisation.current_constitution().appeal_body
    if body is None or not viewer.terms.current().filter(office__body=body).exists():
        raise NotPermitted(_t("Only current members of the appeal body see appeals."))
    return body


def sits_on_appeal_body(viewer, organisation) -> bool:
    try:
        appeal_body_seat(viewer, organisation)
    except NotPermitted:
        return False
    return True
