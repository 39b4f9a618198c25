"""How far an organisation has gone from its provisional committee to elected offices.

Founders hold lapsing, provisional office; the clock calls an election for
every office of the organisation's structure as soon as it is vacant
(``services.schedule_elections``). This module says, for the organisation's
page and API, what is elected, what is being elected and what is not yet,
before the provisional terms run out.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from tribune.elections.models import Election, Kind, Status
from tribune.offices.models import BodyKind, Office, Term, TermSource

ELECTED_SOURCES = (TermSource.ELECTION, TermSource.BY_ELECTION)
NOT_IN_STRUCTURE = (BodyKind.PROVISIONAL, BodyKind.RETURNING, BodyKind.DELEGATION)


@dataclass
class OfficeStep:
    office: Office
    seats: int
    elected: int
    election: Election | None

    @property
    def state(self) -> str:
        if self.elected >= self.seats:
            return "elected"
        return "under_way" if self.election is not None else "not_called"


@dataclass
class Transition:
    provisional_until: datetime | None
    steps: list[OfficeStep]

    @property
    def seats(self) -> int:
        return sum(s.seats for s in self.steps)

    @property
    def elected(self) -> int:
        return sum(min(s.elected, s.seats) for s in self.steps)

    @property
    def under_way(self) -> int:
        return sum(1 for s in self.steps if s.state == "under_way")

    @property
    def percent(self) -> int:
        return round(100 * self.elected / self.seats) if self.seats else 0


def transition(organisation, now=None) -> Transition:
    """The provisional period's end and each office's way to an elected holder."""
    now = now or timezone.now()
    current = Term.objects.current(now).filter(office__body__organisation=organisation)
    provisional = current.filter(source=TermSource.FOUNDING).order_by("-ends_at").first()
    offices = list(
        Office.objects.filter(
            body__organisation=organisation, body__faction__isnull=True, abolished_at__isnull=True
        )
        .exclude(body__kind__in=NOT_IN_STRUCTURE)
        .select_related("body")
        .order_by("body__name", "title")
    )
    elected: dict[int, int] = {}
    for office_id in current.filter(source__in=ELECTED_SOURCES).values_list("office_id", flat=True):
        elected[office_id] = elected.get(office_id, 0) + 1
    pending: dict[int, Election] = {}
    for election in (
        Election.objects.filter(office__in=offices, kind=Kind.OFFICE)
        .exclude(status__in=[Status.CERTIFIED, Status.CANCELLED])
        .order_by("voting_close_at")
    ):
        pending.setdefault(election.office_id, election)
    return Transition(
        provisional_until=provisional.ends_at if provisional else None,
        steps=[OfficeStep(o, o.seats, elected.get(o.pk, 0), pending.get(o.pk)) for o in offices],
    )
