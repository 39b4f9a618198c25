"""Certifying a count: elected members take their seats, amendments take effect, recalls
end terms, and a faction's dissolution is carried out.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.constitution import services as constitution_services
from tribune.elections.models import Election, Kind, Status
from tribune.elections.services.recall import _conclude_recall
from tribune.elections.services.steps import _move, _returning_term
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.models import Member
from tribune.offices.models import Office, Term, TermSource
from tribune.offices.services import begin_term


@transaction.atomic
def certify(actor: Member | None, election: Election) -> Election:
    """Certify the count; terms begin, amendments take effect, recalls end terms."""
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status != Status.COUNTED:
        raise RuleViolation(_t("Only a counted election can be certified."))
    term = _returning_term(actor, election) if actor is not None else None
    if actor is None and election.returning_office_id is not None:
        raise NotPermitted(_t("Only this election's returning officer can certify."))
    _move(election, Status.CERTIFIED, actor=actor, term=term)
    if election.kind == Kind.OFFICE:
        _begin_elected_terms(election)
    elif election.kind == Kind.AMENDMENT and election.passed:
        constitution_services.adopt(
            election.organisation,
            election.amendment,
            how=_t("Adopted by members' vote: %(title)s") % {"title": election.title},
            data={"election": election.pk},
        )
    elif election.kind == Kind.RECALL:
        _conclude_recall(election)
    elif election.kind == Kind.DISSOLUTION and election.passed:
        from tribune.factions.services import dissolve

        dissolve(
            election.faction,
            how=_t("Dissolved by its members' vote: %(title)s") % {"title": election.title},
        )
    return election


@dataclass(eq=False)
class _Seat:
    """One seat of an office: when it is next free, and who holds it last until then."""

    free_at: datetime
    holder_id: int | None = None


def _seats(office: Office, now) -> list[_Seat]:
    """The office's seats as they stand: each chain of terms (one after another) is a seat.

    A term already elected to begin later continues the seat that is free by its
    start; seats no term occupies are free now.
    """
    live = (
        Term.objects.filter(office=office, ends_at__gt=now)
        .exclude(ended_at__lte=now)
        .order_by("starts_at", "pk")
    )
    seats: list[_Seat] = []
    for term in live:
        end = min(term.ends_at, term.ended_at or term.ends_at)
        free = [s for s in seats if s.free_at <= term.starts_at]
        if free:
            seat = max(free, key=lambda s: s.free_at)  # the seat it follows on from
            seat.free_at, seat.holder_id = end, term.member_id
        else:
            seats.append(_Seat(end, term.member_id))
    seats += [_Seat(now) for _ in range(office.seats - len(seats))]
    return seats


def _begin_elected_terms(election: Election) -> None:
    """Seat the winners: a vacant seat at once, a held seat when its holder's term ends.

    A re-elected holder continues in their own seat; the other winners, in the
    order they were elected, take the seats that are free soonest. So every
    winner has a seat and no seat is ever held twice at once, however many
    seats the election filled ahead of the terms' end.
    """
    office = election.office
    now = timezone.now()
    seats = _seats(office, now)
    elected = list(
        election.candidacies.filter(elected_rank__isnull=False)
        .order_by("elected_rank")
        .select_related("member")
    )
    taken: dict[int, _Seat] = {}
    for candidacy in elected:
        own = [s for s in seats if s.holder_id == candidacy.member_id and s not in taken.values()]
        if own:
            taken[candidacy.pk] = own[0]
    for candidacy in elected:
        if candidacy.pk not in taken:
            free = [s for s in seats if s not in taken.values()]
            taken[candidacy.pk] = min(free, key=lambda s: s.free_at) if free else None
    for candidacy in elected:
        seat = taken[candidacy.pk]
        starts_at = max(now, seat.free_at) if seat else now
        begin_term(office, candidacy.member, source=TermSource.ELECTION, starts_at=starts_at)
