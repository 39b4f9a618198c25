"""API: an assembly's session and attendance (check-in), thin over ``assemblies.sessions``.

Reading the session state and the attendance is public like the assembly page
(numbers only; names are on the participants list). The chair opens, suspends
and resumes the session; a participant checks themselves in, and the chair
records anyone's attendance (the desk at the door). Refusals are the domain's
own messages, as 4xx JSON naming the field.
"""

from django.utils.translation import gettext as _t
from ninja import Router, Schema

from tribune.api.common import acting
from tribune.api.types import Id, PathText
from tribune.assemblies import sessions
from tribune.assemblies.api.lookups import _assembly, _organisation, _participant
from tribune.assemblies.api.schemas import SessionOut
from tribune.assemblies.api.serialisers import session_out
from tribune.assemblies.models import Participant
from tribune.lib.errors import NotPermitted, RuleViolation

router = Router(tags=["assemblies"])


class AttendanceIn(Schema):
    # Participant ids; left out, the caller checks themselves in.
    participants: list[int] | None = None
    presence: str  # present, absent or proxy
    holder: int | None = None  # the participant holding the vote, for a proxy


@router.get("/{slug}/assemblies/{pk}/session", response=SessionOut)
def get_session(request, slug: PathText, pk: Id):
    """Planned, in session, suspended or closed; attendance and quorum now; every sitting."""
    return session_out(_assembly(_organisation(slug), pk))


def _chair_does(request, slug: PathText, pk: Id, action) -> dict:
    organisation, actor = acting(request, slug)
    assembly = _assembly(organisation, pk)
    action(actor, assembly)
    return session_out(assembly)


@router.post("/{slug}/assemblies/{pk}/session/open", response=SessionOut)
def open_session(request, slug: PathText, pk: Id):
    """The chair opens the session (within the assembly's dates): votes may then open."""
    return _chair_does(request, slug, pk, sessions.open_session)


@router.post("/{slug}/assemblies/{pk}/session/suspend", response=SessionOut)
def suspend_session(request, slug: PathText, pk: Id):
    """The chair suspends the session (not while a vote is open)."""
    return _chair_does(request, slug, pk, sessions.suspend_session)


@router.post("/{slug}/assemblies/{pk}/session/resume", response=SessionOut)
def resume_session(request, slug: PathText, pk: Id):
    """The chair resumes a suspended session: a new sitting with its own attendance."""
    return _chair_does(request, slug, pk, sessions.resume_session)


@router.post("/{slug}/assemblies/{pk}/attendance", response=SessionOut)
def check_in(request, slug: PathText, pk: Id, payload: AttendanceIn):
    """Check in as present, absent or proxy (with ``holder``): oneself, or (the chair) others."""
    organisation, actor = acting(request, slug)
    assembly = _assembly(organisation, pk)
    if payload.participants is None:
        own = Participant.objects.filter(assembly=assembly, member=actor).first()
        if own is None:
            raise NotPermitted(_t("Only participants of this assembly can do this."))
        participants = [own]
    else:
        wanted = set(payload.participants)
        participants = list(Participant.objects.filter(assembly=assembly, pk__in=wanted))
        if len(participants) != len(wanted):
            raise RuleViolation(_t("No such participant at this assembly."), "participants")
    holder = _participant(assembly, payload.holder, "holder") if payload.holder else None
    sessions.check_in(actor, assembly, participants, payload.presence, holder=holder)
    return session_out(assembly)
