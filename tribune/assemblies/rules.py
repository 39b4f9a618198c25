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
