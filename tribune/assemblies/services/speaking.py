"""The list of speakers, and who takes part in the hall.

The order of speaking itself is the pure ``tribune.assemblies.speakers``; this
module reads and writes the requests.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.assemblies import speakers
from tribune.assemblies.models import AgendaItem, Assembly, LiveVote, Participant, SpeakerRequest
from tribune.assemblies.services.common import _event
from tribune.assemblies.services.convening import chair_term
from tribune.elections.models import Status
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.lib.prepared import PreparedFirst
from tribune.members.models import Member


def participant_of(member: Member | None, assembly: Assembly) -> Participant | None:
    """The member's place at the assembly, or None (for pages: no refusal)."""
    if member is None:
        return None
    return Participant.objects.filter(assembly=assembly, member=member).first()


def open_vote_of(assembly: Assembly) -> LiveVote | None:
    """The vote open now, if any (at most one at a time)."""
    return assembly.votes.filter(election__status=Status.VOTING).select_related("election").first()


# Every cast in the hall reads it: its SQL is built once (tribune.lib.prepared).
_PARTICIPANT = PreparedFirst(
    Participant,
    lambda assembly_id, member_id: Participant.objects.filter(
        assembly_id=assembly_id, member_id=member_id
    ).order_by("pk"),
    int,
    int,
)


def _participant(member: Member, assembly: Assembly) -> Participant:
    participant = _PARTICIPANT.first(assembly.pk, member.pk)
    if participant is None:
        raise NotPermitted(_t("Only participants of this assembly can do this."))
    return participant


@transaction.atomic
def request_to_speak(member: Member, item: AgendaItem, *, point_of_order: bool = False):
    participant = _participant(member, item.assembly)
    if item.speakers.filter(participant=participant, status=SpeakerRequest.Status.WAITING).exists():
        raise RuleViolation(_t("You are already on the list."))
    request = SpeakerRequest.objects.create(
        item=item, participant=participant, point_of_order=point_of_order
    )
    _event(item.assembly, "speakers", item=item.pk)
    return request


def speakers_list(item: AgendaItem) -> list[SpeakerRequest]:
    """The waiting requests in the order the standing orders give them."""
    assembly = item.assembly
    waiting = list(
        item.speakers.filter(status=SpeakerRequest.Status.WAITING).select_related(
            "participant__member"
        )
    )
    spoken = item.speakers.filter(
        status__in=[SpeakerRequest.Status.DONE, SpeakerRequest.Status.SPEAKING]
    )
    last = spoken.order_by("-started_at").select_related("participant").first()
    by_key = {str(r.pk): r for r in waiting}
    order = speakers.speaking_order(
        [
            speakers.Request(str(r.pk), i, r.participant.group, r.point_of_order)
            for i, r in enumerate(waiting)
        ],
        already_spoke={
            str(r.pk)
            for r in waiting
            if r.participant_id in set(spoken.values_list("participant_id", flat=True))
        },
        last_group=last.participant.group if last else None,
        rules=speakers.Rules(assembly.first_speakers_first, assembly.alternate_lists),
    )
    return [by_key[r.speaker] for r in order]


@transaction.atomic
def next_speaker(actor: Member, item: AgendaItem) -> SpeakerRequest | None:
    chair_term(actor, item.assembly)
    item.speakers.filter(status=SpeakerRequest.Status.SPEAKING).update(
        status=SpeakerRequest.Status.DONE
    )
    waiting = speakers_list(item)
    if not waiting:
        _event(item.assembly, "speakers", item=item.pk)
        return None
    request = waiting[0]
    request.status, request.started_at = SpeakerRequest.Status.SPEAKING, timezone.now()
    request.save(update_fields=["status", "started_at"])
    _event(
        item.assembly,
        "speaker",
        item=item.pk,
        name=request.participant.member.name,
        seconds=item.assembly.speaking_minutes * 60,
    )
    return request
