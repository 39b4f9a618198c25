"""Helpers for assembly tests: a congress convened by a mandated convenor; the chair
opening the session with the hall checked in."""

from datetime import timedelta

from django.utils import timezone

from tribune.assemblies import services, sessions
from tribune.assemblies.models import Assembly, Participant
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office


def convene(world, title: str = "First congress") -> Assembly:
    """Ana, the conference committee's convenor, convenes a congress chaired by Eli;
    it sits in two hours and motions are open for another hour."""
    body = create_body(world.org, name="Conference committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body, title="Convenor", mandate="Convene the congress.", powers=["convene_assemblies"]
    )
    begin_term(office, world.ana, source=TermSource.ELECTION)
    now = timezone.now()
    return services.convene(
        world.ana,
        world.root,
        title=title,
        kind=Assembly.Kind.GENERAL,
        starts_at=now + timedelta(hours=2),
        ends_at=now + timedelta(days=1),
        motions_deadline=now + timedelta(hours=1),
        chair=world.eli,
    )


def in_session(chair, assembly: Assembly, members=None) -> None:
    """Check in as present every seated participant (or those of ``members``) who has not
    given a proxy, and open the session."""
    seated = Participant.objects.filter(assembly=assembly, proxy_given__isnull=True)
    if members is not None:
        seated = seated.filter(member__in=members)
    if seated.exists():
        sessions.check_in(chair, assembly, list(seated), "present")
    sessions.open_session(chair, assembly)


def begin(chair, assembly: Assembly, members=None) -> Assembly:
    """The assembly's day has come: its start moved to a minute ago (motions closed before),
    the hall seated if it is not, checked in, and the session open."""
    now = timezone.now()
    Assembly.objects.filter(pk=assembly.pk).update(
        starts_at=now - timedelta(minutes=1),
        motions_deadline=min(assembly.motions_deadline, now - timedelta(minutes=2)),
    )
    assembly.refresh_from_db()
    if not assembly.participants.exists():
        services.seat_participants(chair, assembly)
    in_session(chair, assembly, members)
    return assembly
