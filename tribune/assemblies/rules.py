"""Who may read what of an assembly: one function per object, used by the page and the API.

An assembly's business is public — its standing orders, agenda, motions'
texts, and every vote's counts and result (the minutes name no one) — because
the membership's decisions bind the organisation in public. Who took part, who
voted how in a named vote, who asked to speak and who moved a motion name
members, and members' names are for members (``members.rules``).
"""

from django.db.models import QuerySet

from tribune.assemblies.models import Assembly, LiveVote
from tribune.members.rules import require_member_names, sees_member_names


def shows_names(viewer, assembly: Assembly) -> bool:
    """Whether ``viewer`` sees the names of an assembly's participants, speakers and movers."""
    return sees_member_names(viewer, assembly.organisation)


def participants_for(viewer, assembly: Assembly) -> QuerySet:
    """The participants list, for a reader who may see it; NotPermitted for anyone else.

    The assembly itself still says how many take part, to everyone.
    """
    require_member_names(viewer, assembly.organisation)
    return assembly.participants.all()


def named_record(viewer, vote: LiveVote) -> QuerySet | None:
    """Who voted how, when the standing orders make votes named and ``viewer`` may read names.

    None when the vote is secret (there is no such record) or the reader may
    not see names (they still see the counts and the result).
    """
    if vote.assembly.secret_votes or not shows_names(viewer, vote.assembly):
        return None
    return vote.named.select_related("participant__member").order_by("pk")


def tabling_branches(member, assembly: Assembly) -> QuerySet:
    """The branches ``member`` may table a motion for: their own and those above it
    (``services.table_motion`` refuses any other), none if the standing orders say so."""
    from tribune.organisations.models import Branch

    if member is None or not assembly.branches_may_table:
        return Branch.objects.none()
    return Branch.objects.filter(pk__in=[b.pk for b in member.home_branch.ancestors()])


def tabling_factions(member, assembly: Assembly) -> QuerySet:
    """The factions ``member`` may table a motion for: those whose officer they are now and
    whose member they still are (``factions.rules.faction_term``), if factions may table."""
    from tribune.factions.models import Faction
    from tribune.offices.models import Term

    if member is None or not member.in_good_standing or not assembly.factions_may_table:
        return Faction.objects.none()
    acting = Term.objects.current().filter(member=member, office__body__faction__isnull=False)
    return Faction.objects.filter(
        organisation=assembly.organisation,
        pk__in=acting.values("office__body__faction"),
        memberships__member=member,
    ).distinct()


# The lists the chair's desk picks people from (attendance, substitutes, transfers).
DESK_LISTS = ("seated", "delegates", "substituted")


def desk_list(assembly: Assembly, among: str) -> QuerySet:
    """The participants one of the chair's forms may choose: all of them (attendance, a
    proxy's holder), delegates who are no one's substitute, or delegates with a substitute."""
    seated = assembly.participants.select_related("member__home_branch")
    if among == "seated":
        return seated
    if among == "delegates":
        return seated.filter(substitute_for__isnull=True)
    if among == "substituted":
        return seated.filter(substitutes__isnull=False).distinct()
    raise ValueError(among)


def searchable_participants(viewer, assembly: Assembly, among: str) -> QuerySet:
    """The participants ``viewer`` may search by name for the chair's desk: the chair only
    (the desk's forms are the chair's; members read the list on the page instead)."""
    from tribune.assemblies.services import chair_term

    chair_term(viewer, assembly)  # NotPermitted for anyone else
    require_member_names(viewer, assembly.organisation)  # and names are for members
    return desk_list(assembly, among)
