"""Who may act for a faction, and who may see who belongs to it.

A faction's powers come from current terms in the faction's own bodies, held
by its own members, and reach only that faction. Private membership is political data: it is shown
to the member and to the faction officers whose mandate includes
``see_private_members`` — to no one else, officer of the organisation or not.
"""

from django.utils.translation import gettext as _t

from tribune.lib.errors import NotPermitted
from tribune.offices.models import Term
from tribune.offices.powers import FACTION_POWERS


def faction_term(member, faction, power: str | None = None) -> Term:
    """The current term by which ``member`` acts for ``faction`` (with ``power``, if named)."""
    if power is not None and power not in FACTION_POWERS:
        raise ValueError(f"unknown faction power {power!r}")
    if member is None or not member.in_good_standing:
        raise NotPermitted(_t("Only members in good standing exercise any power."))
    terms = Term.objects.current().filter(member=member, office__body__faction=faction)
    for term in terms.select_related("office"):
        if power is None or power in term.office.powers:
            if not faction.memberships.filter(member=member).exists():
                # A faction's officers are its members: whoever left (or never joined)
                # acts for it in nothing, whatever term they hold, and sees none of its
                # private members.
                raise NotPermitted(
                    _t("Only members of %(faction)s act for it.") % {"faction": faction.name}
                )
            return term
    raise NotPermitted(
        _t("No current mandate of yours in %(faction)s grants this.") % {"faction": faction.name}
    )


def can_see_private_members(viewer, faction) -> bool:
    try:
        faction_term(viewer, faction, "see_private_members")
    except NotPermitted:
        return False
    return True


def visible_memberships(viewer, faction):
    """The memberships of ``faction`` that ``viewer`` may see."""
    from django.db.models import Q

    from tribune.factions.models import Visibility

    memberships = faction.memberships.select_related("member")
    if can_see_private_members(viewer, faction):
        return memberships
    own = Q(member=viewer) if viewer is not None else Q(pk__in=[])
    return memberships.filter(Q(visibility=Visibility.PUBLIC) | own)


def public_factions_of(member):
    """The factions shown on a member's public profile: public memberships only."""
    from tribune.factions.models import FactionStatus, Visibility

    return [
        m.faction
        for m in member.faction_memberships.filter(
            visibility=Visibility.PUBLIC, faction__status=FactionStatus.REGISTERED
        ).select_related("faction")
    ]
