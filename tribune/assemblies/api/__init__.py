"""API: congresses and assemblies, motions and amendments, speakers, live votes, the programme.

Endpoints are thin: they find the records, name the acting member and call
``tribune.assemblies.services``, so every refusal is the domain's own (the
same message as in the web UI) as 4xx JSON naming the field. What the hall
sees — agenda, motions, results, named votes, minutes, the programme — is
public like the assembly page; acting needs a login (401) and, where the
domain says so, the chair's mandate or a seat (403). Live changes are pushed
on the assembly's SSE stream (``web:assembly_events``), not polled here.

The bodies (``schemas``), the lookups and the serialisers are modules of
their own; the endpoints stay here, in registration order, because
django-ninja names each operation in the OpenAPI document after its module
(``tribune_assemblies_api_open_vote``): moving them would rename the
operations clients were generated from.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t
from ninja import Router, Status

from tribune.api.common import acting, require_login
from tribune.api.types import Id, PathText
from tribune.assemblies import rules, services, textmerge
from tribune.assemblies.api.lookups import (
    _assembly,
    _item,
    _motion,
    _organisation,
    _participant,
    _seat,
    _viewer,
    _vote,
)
from tribune.assemblies.api.schemas import (
    AgendaIn,
    AgendaItemOut,
    AmendmentIn,
    AmendmentOut,
    AssemblyOut,
    AssemblySummary,
    CalledOut,
    CastIn,
    CastOut,
    ConveneIn,
    DiffOut,
    MotionIn,
    MotionOut,
    MotionSummary,
    ParticipantOut,
    ProgrammeVersionOut,
    ProgrammeVersionSummary,
    ProxyIn,
    ProxyOut,
    RankingIn,
    SeatedOut,
    SpeakerOut,
    SpeakersOut,
    SpeakIn,
    StandingOrders,
    SubstituteIn,
    TransferIn,
    VoteIn,
    VoteOut,
)
from tribune.assemblies.api.serialisers import (
    _amendment_out,
    _as_text,
    _assembly_out,
    _item_out,
    _motion_out,
    _motion_summary,
    _participant_out,
    _programme_out,
    _programme_summary,
    _programme_versions,
    _speaker_out,
    _speakers_out,
    _summary,
    _vote_out,
)
from tribune.assemblies.minutes import write as write_minutes
from tribune.assemblies.models import (
    Amendment,
    Assembly,
    LiveVote,
    Proxy,
    SpeakerRequest,
)
from tribune.lib.errors import NotFound, RuleViolation
from tribune.members.models import Member

router = Router(tags=["assemblies"])


# --- assemblies ------------------------------------------------------------------------------


@router.get("/{slug}/assemblies", response=list[AssemblySummary])
def list_assemblies(request, slug: PathText):
    organisation = _organisation(slug)
    return [_summary(a) for a in organisation.assemblies.select_related("branch")]


@router.post("/{slug}/assemblies", response={201: AssemblyOut})
def convene(request, slug: PathText, payload: ConveneIn):
    """Convene an assembly of a branch (the root by default); needs the convene_assemblies power."""
    organisation, actor = acting(request, slug)
    branch = organisation.root_branch
    if payload.branch:
        branch = organisation.branches.filter(slug=payload.branch).first()
        if branch is None:
            raise RuleViolation(_t("Unknown branch."), "branch")
    chair = Member.objects.filter(organisation=organisation, pk=payload.chair_id).first()
    if chair is None:
        raise RuleViolation(_t("No such member in this organisation."), "chair_id")
    if payload.apportionment not in dict(Assembly._meta.get_field("apportionment").choices):
        raise RuleViolation(_t("Choose an apportionment method."), "apportionment")
    orders = {f: getattr(payload, f) for f in StandingOrders.model_fields}
    assembly = services.convene(
        actor,
        branch,
        title=payload.title,
        kind=payload.kind,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        motions_deadline=payload.motions_deadline,
        chair=chair,
        **orders,
    )
    return Status(201, _assembly_out(_assembly(organisation, assembly.pk)))


@router.get("/{slug}/assemblies/{pk}", response=AssemblyOut)
def get_assembly(request, slug: PathText, pk: Id):
    return _assembly_out(_assembly(_organisation(slug), pk))


@router.post("/{slug}/assemblies/{pk}/close", response=AssemblyOut)
def close_assembly(request, slug: PathText, pk: Id):
    organisation, actor = acting(request, slug)
    assembly = services.close_assembly(actor, _assembly(organisation, pk))
    return _assembly_out(assembly)


@router.get("/{slug}/assemblies/{pk}/participants", response=list[ParticipantOut])
def list_participants(request, slug: PathText, pk: Id):
    """Who takes part: for members in good standing (everyone sees the count on the assembly)."""
    organisation = _organisation(slug)
    assembly = _assembly(organisation, pk)
    viewer = _viewer(request, organisation)
    if viewer is None:
        require_login(request)
    participants = rules.participants_for(viewer, assembly)
    proxies = dict(
        Proxy.objects.filter(giver__assembly=assembly).values_list("giver_id", "holder_id")
    )
    participants = participants.select_related("member", "delegation").order_by("pk")
    return [_participant_out(p, proxies) for p in participants]


@router.post("/{slug}/assemblies/{pk}/participants", response=SeatedOut)
def seat_participants(request, slug: PathText, pk: Id):
    """The chair seats every member (general assembly) or the delegates now in office."""
    organisation, actor = acting(request, slug)
    assembly = _assembly(organisation, pk)
    seated = services.seat_participants(actor, assembly)
    return {"seated": seated, "participants": assembly.participants.count()}


@router.post("/{slug}/assemblies/{pk}/delegate-elections", response={201: CalledOut})
def call_delegate_elections(request, slug: PathText, pk: Id):
    organisation, actor = acting(request, slug)
    called = services.call_delegate_elections(actor, _assembly(organisation, pk))
    return Status(201, {"elections": [e.pk for e in called]})


@router.post("/{slug}/assemblies/{pk}/congress-elections", response={201: CalledOut})
def call_congress_elections(request, slug: PathText, pk: Id):
    """The chair calls the elections the structure gives to a congress of the whole
    organisation: nominations until it opens, voting while it sits."""
    organisation, actor = acting(request, slug)
    called = services.call_congress_elections(actor, _assembly(organisation, pk))
    return Status(201, {"elections": [e.pk for e in called]})


@router.post(
    "/{slug}/assemblies/{pk}/participants/{participant_id}/substitutes",
    response={201: ParticipantOut},
)
def add_substitute(request, slug: PathText, pk: Id, participant_id: Id, payload: SubstituteIn):
    organisation, actor = acting(request, slug)
    assembly = _assembly(organisation, pk)
    delegate = _participant(assembly, participant_id, "participant_id")
    member = Member.objects.filter(organisation=organisation, pk=payload.member).first()
    if member is None:
        raise RuleViolation(_t("No such member in this organisation."), "member")
    substitute = services.add_substitute(actor, delegate, member)
    return Status(201, _participant_out(substitute, {}))


@router.post(
    "/{slug}/assemblies/{pk}/participants/{participant_id}/transfer", response=ParticipantOut
)
def transfer_vote(request, slug: PathText, pk: Id, participant_id: Id, payload: TransferIn):
    """The delegate (or the chair) hands the vote to the substitute, or takes it back."""
    organisation, actor = acting(request, slug)
    assembly = _assembly(organisation, pk)
    delegate = _participant(assembly, participant_id, "participant_id")
    voting = services.transfer_vote(delegate, payload.to_substitute, actor=actor)
    return _participant_out(voting, {})


@router.post("/{slug}/assemblies/{pk}/proxy", response={201: ProxyOut})
def give_proxy(request, slug: PathText, pk: Id, payload: ProxyIn):
    assembly, _actor, giver = _seat(request, slug, pk)
    holder = _participant(assembly, payload.holder, "holder")
    services.give_proxy(giver, holder)
    return Status(201, {"giver_id": giver.pk, "holder_id": holder.pk, "holder": holder.member.name})


@router.delete("/{slug}/assemblies/{pk}/proxy", response={204: None})
def revoke_proxy(request, slug: PathText, pk: Id):
    _assembly_here, _actor, giver = _seat(request, slug, pk)
    services.revoke_proxy(giver)
    return Status(204, None)


@router.get("/{slug}/assemblies/{pk}/minutes")
def minutes(request, slug: PathText, pk: Id):
    """The minutes in Markdown: every item, motion, amendment and vote with its result."""
    organisation = _organisation(slug)
    assembly = _assembly(organisation, pk)
    names = rules.shows_names(_viewer(request, organisation), assembly)
    return HttpResponse(
        write_minutes(assembly, names=names), content_type="text/markdown; charset=utf-8"
    )


# --- agenda and speakers ------------------------------------------------------------------------


@router.post("/{slug}/assemblies/{pk}/agenda", response={201: AgendaItemOut})
def add_agenda_item(request, slug: PathText, pk: Id, payload: AgendaIn):
    organisation, actor = acting(request, slug)
    if not payload.title.strip():
        raise RuleViolation(_t("An agenda item needs a title."), "title")
    item = services.add_agenda_item(
        actor,
        _assembly(organisation, pk),
        title=payload.title.strip(),
        minutes=payload.minutes,
        report=payload.report,
    )
    return Status(201, _item_out(item))


@router.post("/{slug}/assemblies/{pk}/agenda/{item_id}/current", response=AgendaItemOut)
def set_current_item(request, slug: PathText, pk: Id, item_id: Id):
    organisation, actor = acting(request, slug)
    item = services.set_current_item(actor, _item(_assembly(organisation, pk), item_id))
    return _item_out(item)


@router.get("/{slug}/assemblies/{pk}/agenda/{item_id}/speakers", response=SpeakersOut)
def list_speakers(request, slug: PathText, pk: Id, item_id: Id):
    """Who speaks now, and who waits, in the order the standing orders give."""
    organisation = _organisation(slug)
    assembly = _assembly(organisation, pk)
    names = rules.shows_names(_viewer(request, organisation), assembly)
    return _speakers_out(_item(assembly, item_id), names)


@router.post("/{slug}/assemblies/{pk}/agenda/{item_id}/speakers", response={201: SpeakerOut})
def request_to_speak(request, slug: PathText, pk: Id, item_id: Id, payload: SpeakIn):
    organisation, actor = acting(request, slug)
    item = _item(_assembly(organisation, pk), item_id)
    made = services.request_to_speak(actor, item, point_of_order=payload.point_of_order)
    made = SpeakerRequest.objects.select_related("participant__member").get(pk=made.pk)
    return Status(201, _speaker_out(made))


@router.post("/{slug}/assemblies/{pk}/agenda/{item_id}/speakers/next", response=SpeakersOut)
def next_speaker(request, slug: PathText, pk: Id, item_id: Id):
    organisation, actor = acting(request, slug)
    item = _item(_assembly(organisation, pk), item_id)
    services.next_speaker(actor, item)
    return _speakers_out(item)


# --- motions and amendments ------------------------------------------------------------------


@router.get("/{slug}/assemblies/{pk}/motions", response=list[MotionSummary])
def list_motions(request, slug: PathText, pk: Id):
    organisation = _organisation(slug)
    assembly = _assembly(organisation, pk)
    names = rules.shows_names(_viewer(request, organisation), assembly)
    motions = assembly.motions.select_related(
        "tabled_by", "on_behalf_of_branch", "on_behalf_of_faction"
    )
    return [_motion_summary(m, names) for m in motions]


@router.post("/{slug}/assemblies/{pk}/motions", response={201: MotionOut})
def table_motion(request, slug: PathText, pk: Id, payload: MotionIn):
    """Table a motion by the deadline, for oneself, one's branch or one's faction."""
    organisation, actor = acting(request, slug)
    assembly = _assembly(organisation, pk)
    item = _item(assembly, payload.agenda_item_id) if payload.agenda_item_id else None
    branch = faction = None
    if payload.branch:
        branch = organisation.branches.filter(slug=payload.branch).first()
        if branch is None:
            raise RuleViolation(_t("Unknown branch."), "branch")
    if payload.faction:
        from tribune.factions.models import Faction

        faction = Faction.objects.filter(organisation=organisation, slug=payload.faction).first()
        if faction is None:
            raise RuleViolation(_t("Unknown faction."), "faction")
    motion = services.table_motion(
        actor,
        assembly,
        title=payload.title,
        text=payload.text,
        agenda_item=item,
        branch=branch,
        faction=faction,
        programme_section=payload.programme_section,
        amends_constitution=payload.amends_constitution,
        constitution_change=payload.constitution_change,
    )
    return Status(201, _motion_out(motion))


@router.get("/{slug}/assemblies/{pk}/motions/{motion_id}", response=MotionOut)
def get_motion(request, slug: PathText, pk: Id, motion_id: Id):
    """The motion with every version and its diff, the consolidated text and the amendments."""
    organisation = _organisation(slug)
    assembly = _assembly(organisation, pk)
    names = rules.shows_names(_viewer(request, organisation), assembly)
    return _motion_out(_motion(assembly, motion_id), names)


@router.post("/{slug}/assemblies/{pk}/motions/{motion_id}/amendments", response={201: AmendmentOut})
def table_amendment(request, slug: PathText, pk: Id, motion_id: Id, payload: AmendmentIn):
    """Amend the motion as tabled: replace a quoted passage, or lines start..end."""
    organisation, actor = acting(request, slug)
    motion = _motion(_assembly(organisation, pk), motion_id)
    if payload.passage is not None or payload.start is None or payload.end is None:
        amendment = services.amend_passage(
            actor,
            motion,
            passage=payload.passage or "",
            replacement=payload.replacement,
            reason=payload.reason,
        )
    else:
        amendment = services.table_amendment(
            actor,
            motion,
            start=payload.start,
            end=payload.end,
            new_text=payload.new_text,
            reason=payload.reason,
        )
    flagged = {label for pair in services.conflicting_amendments(motion) for label in pair}
    tabled = motion.versions.get(number=1).text
    return Status(201, _amendment_out(amendment, flagged, tabled))


# --- live votes ------------------------------------------------------------------------------


@router.get("/{slug}/assemblies/{pk}/votes", response=list[VoteOut])
def list_votes(request, slug: PathText, pk: Id):
    organisation = _organisation(slug)
    assembly = _assembly(organisation, pk)
    viewer = _viewer(request, organisation)
    votes = assembly.votes.select_related("election", "assembly", "session").order_by(
        "opened_at", "pk"
    )
    return [_vote_out(v, viewer) for v in votes]


@router.post("/{slug}/assemblies/{pk}/votes", response={201: VoteOut})
def open_vote(request, slug: PathText, pk: Id, payload: VoteIn):
    """The chair puts one motion or one amendment to the vote."""
    organisation, actor = acting(request, slug)
    assembly = _assembly(organisation, pk)
    motion = _motion(assembly, payload.motion_id) if payload.motion_id else None
    amendment = None
    if payload.amendment_id:
        amendment = Amendment.objects.filter(
            motion__assembly=assembly, pk=payload.amendment_id
        ).first()
        if amendment is None:
            raise RuleViolation(_t("No such amendment at this assembly."), "amendment_id")
    if payload.supermajority is not None:
        raise RuleViolation(
            _t(
                "The majority comes from the constitution and the standing orders; "
                "the chair does not choose it."
            ),
            "supermajority",
        )
    vote = services.open_vote(actor, assembly, motion=motion, amendment=amendment)
    return Status(201, _vote_out(vote, actor))


@router.get("/{slug}/assemblies/{pk}/votes/{vote_id}", response=VoteOut)
def get_vote(request, slug: PathText, pk: Id, vote_id: Id):
    organisation = _organisation(slug)
    viewer = _viewer(request, organisation)
    return _vote_out(_vote(_assembly(organisation, pk), vote_id), viewer)


@router.post("/{slug}/assemblies/{pk}/votes/{vote_id}/ballots", response={201: CastOut})
def cast(request, slug: PathText, pk: Id, vote_id: Id, payload: CastIn):
    """Vote yes, no or abstain, for oneself and every proxy one holds; returns the ballots cast."""
    _organisation, actor = acting(request, slug)
    vote = get_object_or_404(
        LiveVote.objects.select_related("assembly"),
        assembly__organisation_id=actor.organisation_id,
        assembly_id=pk,
        pk=vote_id,
    )
    return Status(201, {"ballots": services.cast_live_vote(actor, vote, payload.choice)})


@router.post("/{slug}/assemblies/{pk}/agenda/{item_id}/ranking", response={201: VoteOut})
def open_ranking_vote(request, slug: PathText, pk: Id, item_id: Id):
    """The chair asks the hall to rank the motions competing on an item (two or more).

    The Schulze order of the count is the order in which they are then put to the vote;
    once one is carried, the others fall.
    """
    organisation, actor = acting(request, slug)
    vote = services.open_ranking_vote(actor, _item(_assembly(organisation, pk), item_id))
    return Status(201, _vote_out(_vote(vote.assembly, vote.pk), actor))


@router.post("/{slug}/assemblies/{pk}/votes/{vote_id}/ranking", response={201: CastOut})
def cast_ranking(request, slug: PathText, pk: Id, vote_id: Id, payload: RankingIn):
    """Rank the competing motions (ids, first first), for oneself and every proxy one holds."""
    organisation, actor = acting(request, slug)
    vote = _vote(_assembly(organisation, pk), vote_id)
    return Status(201, {"ballots": services.cast_ranking(actor, vote, payload.ranking)})


@router.post("/{slug}/assemblies/{pk}/votes/{vote_id}/close", response=VoteOut)
def close_vote(request, slug: PathText, pk: Id, vote_id: Id):
    """The chair closes the vote; it is counted at once and the result pushed to every browser.

    A ranking vote's result is the order of the competing motions (``ranking``).
    """
    organisation, actor = acting(request, slug)
    vote = services.close_vote(actor, _vote(_assembly(organisation, pk), vote_id))
    return _vote_out(vote, actor)


# --- the programme ------------------------------------------------------------------------


@router.get("/{slug}/programme", response=ProgrammeVersionOut)
def current_programme(request, slug: PathText):
    """The programme as adopted now; every version links to the motion and vote that made it."""
    versions = _programme_versions(slug)
    if not versions:
        raise NotFound(_t("This organisation has no programme yet."), "slug")
    return _programme_out(versions[max(versions)])


@router.get("/{slug}/programme/versions", response=list[ProgrammeVersionSummary])
def programme_versions(request, slug: PathText):
    versions = _programme_versions(slug)
    return [_programme_summary(versions[n]) for n in sorted(versions, reverse=True)]


@router.get("/{slug}/programme/versions/{number}", response=ProgrammeVersionOut)
def programme_version(request, slug: PathText, number: Id):
    version = _programme_versions(slug).get(number)
    if version is None:
        raise NotFound(_t("No such version of the programme."), "number")
    return _programme_out(version)


@router.get("/{slug}/programme/versions/{number}/diff", response=DiffOut)
def programme_diff(request, slug: PathText, number: Id, against: Id | None = None):
    """What version ``number`` changed against ``against`` (the version before by default)."""
    versions = _programme_versions(slug)
    old = number - 1 if against is None else against
    if number not in versions:
        raise NotFound(_t("No such version of the programme."), "number")
    if old not in versions:
        raise NotFound(_t("No such version of the programme."), "against")
    diff = textmerge.diff(
        _as_text(versions[old]), _as_text(versions[number]), f"v{old}", f"v{number}"
    )
    return {"old": old, "new": number, "diff": diff}
