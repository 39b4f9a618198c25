"""Scheduling by rule, so that no office silently becomes permanent."""

from datetime import timedelta

from django.utils import timezone

from tribune.constitution.models import ConstitutionVersion
from tribune.elections.models import Election, Kind, Status
from tribune.elections.services.calling import call_election
from tribune.lib.clock import each_alone
from tribune.offices.models import BodyKind, Office, Term


def _pending(office: Office) -> bool:
    return (
        Election.objects.filter(office=office, kind=Kind.OFFICE)
        .exclude(status__in=[Status.CERTIFIED, Status.CANCELLED])
        .exists()
    )


# Bodies whose offices are filled for one occasion and never re-elected by the clock:
# a returning officer runs one election; a delegation attends one assembly, and the
# assembly's chair calls its elections (``assemblies.services.call_delegate_elections``).
PER_OCCASION = (BodyKind.RETURNING, BodyKind.DELEGATION)


def election_lead(office: Office, constitution: ConstitutionVersion) -> timedelta:
    """How long before its terms end an office's next election is called.

    The constitution's lead, but never more than half the office's term: a term
    shorter than the lead would otherwise end inside the horizon the moment it
    began, and the clock would call a new election for it at every tick.
    """
    return timedelta(days=min(constitution.election_lead_days, office.term_days / 2))


def schedule_elections(now=None) -> list[Election]:
    """Call, by rule, an election for every office whose terms end soon or that is vacant.

    The election is for the seats not covered beyond the lead time (a by-election
    for one seat fills one seat). Offices filled per occasion are left alone.
    Each office is handled alone: one that fails is logged and skipped.
    """
    now = now or timezone.now()

    def call_if_due(office: Office) -> Election | None:
        constitution = office.body.organisation.current_constitution()
        horizon = now + election_lead(office, constitution)
        # Terms still running beyond the horizon (including those not yet begun).
        covered = Term.objects.filter(
            office=office, ends_at__gt=horizon, ended_at__isnull=True
        ).count()
        if covered >= office.seats or _pending(office):
            return None
        return call_election(None, office=office, starts_at=now, seats=office.seats - covered)

    offices = (
        Office.objects.filter(abolished_at__isnull=True)
        # Provisional offices lapse; the structure's offices are elected in their place.
        .exclude(body__kind=BodyKind.PROVISIONAL)
        # A congress elects these at its sitting (assemblies.call_congress_elections).
        .exclude(electorate_kind="congress")
        .exclude(body__kind__in=PER_OCCASION, body__in_structure=False)
        .exclude(body__faction__status="dissolved")
    ).select_related("body__organisation", "body__branch")
    return [e for e in each_alone(list(offices), call_if_due, what="office") if e is not None]
