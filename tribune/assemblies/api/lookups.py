"""Finding an endpoint's records: the organisation, assembly, item, motion, vote, seat.

A record not found is a 404; a seat not held is the domain's refusal (403).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t

from tribune.api.common import acting
from tribune.assemblies import services
from tribune.assemblies.models import AgendaItem, Assembly, LiveVote, Motion, Participant
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.models import Member
from tribune.organisations.models import Organisation


def _organisation(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


def _viewer(request, organisation: Organisation) -> Member | None:
    from tribune.offices.rules import member_of

    return member_of(request.user, organisation)


def _assembly(organisation: Organisation, pk: int) -> Assembly:
    return get_object_or_404(
        Assembly.objects.select_related("organisation", "branch", "chair_office"),
        organisation=organisation,
        pk=pk,
    )


def _item(assembly: Assembly, item_id: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("assembly"), assembly=assembly, pk=item_id
    )


def _motion(assembly: Assembly, motion_id: int) -> Motion:
    return get_object_or_404(
        Motion.objects.select_related("assembly"), assembly=assembly, pk=motion_id
    )


def _vote(assembly: Assembly, vote_id: int) -> LiveVote:
    return get_object_or_404(
        LiveVote.objects.select_related("election", "assembly", "session"),
        assembly=assembly,
        pk=vote_id,
    )


def _seat(request, slug: str, pk: int) -> tuple[Assembly, Member, Participant]:
    organisation, actor = acting(request, slug)
    assembly = _assembly(organisation, pk)
    participant = services.participant_of(actor, assembly)
    if participant is None:
        raise NotPermitted(_t("Only participants of this assembly can do this."))
    return assembly, actor, participant


def _participant(assembly: Assembly, participant_id: int, field: str) -> Participant:
    participant = Participant.objects.filter(assembly=assembly, pk=participant_id).first()
    if participant is None:
        raise RuleViolation(_t("No such participant at this assembly."), field)
    return participant
