"""API: congresses and assemblies, motions and amendments, speakers, live votes, the programme.

Endpoints are thin: they find the records, name the acting member and call
``tribune.assemblies.services``, so every refusal is the domain's own (the
same message as in the web UI) as 4xx JSON naming the field. What the hall
sees — agenda, motions, results, named votes, minutes, the programme — is
public like the assembly page; acting needs a login (401) and, where the
domain says so, the chair's mandate or a seat (403). Live changes are pushed
on the assembly's SSE stream (``web:assembly_events``), not polled here.
"""

from datetime import datetime
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _t
from ninja import Router, Schema, Status

from tribune.api.common import acting, require_login
from tribune.api.types import Id, PathText
from tribune.assemblies import rules, services, sessions, textmerge
from tribune.assemblies.minutes import write as write_minutes
from tribune.assemblies.models import (
    AgendaItem,
    Amendment,
    Assembly,
    LiveVote,
    Motion,
    Participant,
    Programme,
    ProgrammeVersion,
    Proxy,
    SpeakerRequest,
)
from tribune.elections.models import Status as ElectionStatus
from tribune.lib.errors import NotFound, NotPermitted, RuleViolation
from tribune.members.models import Member
from tribune.organisations.models import Organisation

router = Router(tags=["assemblies"])


# --- schemas ---------------------------------------------------------------------------


class StandingOrders(Schema):
    speaking_minutes: int = 3
    first_speakers_first: bool = True
    alternate_lists: bool = False
    secret_votes: bool = False
    weighted_votes: bool = False
    proxies_allowed: bool = False
    branches_may_table: bool = True
    factions_may_table: bool = True
    delegate_seats: int = 0
    apportionment: str = "sainte-lague"
    # Stricter than the constitution, or null: the constitution's quorum applies.
    quorum_percent: Decimal | None = None
    majority: str = "simple"  # for ordinary motions: simple, absolute or two-thirds


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    minutes: int
    report: str
    status: str


class DelegationOut(Schema):
    branch: str
    name: str
    members: int
    seats: int


class AssemblySummary(Schema):
    id: int
    title: str
    kind: str
    status: str
    branch: str
    starts_at: datetime
    ends_at: datetime
    motions_deadline: datetime


class AttendanceOut(Schema):
    entitled: int
    present: int
    in_person: int
    by_proxy: int
    quorum: int
    quorum_percent: str
    quorate: bool


class SittingOut(Schema):
    number: int
    opened_at: datetime
    opened_by: str
    ended_at: datetime | None
    ended_how: str
    attendance_at_open: dict
    attendance_at_end: dict | None


class SessionOut(Schema):
    state: str  # planned, in_session, suspended or closed
    current: SittingOut | None
    attendance: AttendanceOut
    sittings: list[SittingOut]


class AssemblyOut(AssemblySummary):
    chair_office_id: int | None
    chair: str | None
    standing_orders: StandingOrders
    agenda: list[AgendaItemOut]
    current_item: AgendaItemOut | None
    participants: int
    delegations: list[DelegationOut]
    open_vote_id: int | None
    events_url: str
    session: SessionOut


class ConveneIn(StandingOrders):
    branch: str | None = None
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    motions_deadline: datetime
    chair_id: int


class SeatedOut(Schema):
    seated: int
    participants: int


class ParticipantOut(Schema):
    id: int
    member_id: int
    name: str
    delegation: str | None
    weight: int
    group: str
    voting: bool
    substitute_for: int | None
    proxy_holder: int | None
    presence: str  # present, absent or proxy


class CalledOut(Schema):
    elections: list[int]


class AgendaIn(Schema):
    title: str
    minutes: int = 30
    report: str = ""


class MotionSummary(Schema):
    id: int
    title: str
    status: str
    agenda_item_id: int | None
    tabled_by: str | None  # None for a reader who may not see members' names
    on_behalf_of_branch: str | None
    on_behalf_of_faction: str | None
    programme_section: str
    amends_constitution: bool
    constitution_change: dict | None
    tabled_at: datetime


class VersionOut(Schema):
    number: int
    text: str
    note: str
    created_at: datetime
    diff: str


class AmendmentOut(Schema):
    id: int
    label: str
    tabled_by: str | None  # None for a reader who may not see members' names
    start: int
    end: int
    replaces: str  # the lines of the motion as tabled that new_text takes the place of
    new_text: str
    reason: str
    status: str
    conflict: bool


class MotionOut(MotionSummary):
    versions: list[VersionOut]
    consolidated_text: str | None
    consolidation_clash: str
    amendments: list[AmendmentOut]
    conflicts: list[list[str]]


class MotionIn(Schema):
    title: str
    text: str
    agenda_item_id: int | None = None
    branch: str | None = None
    faction: str | None = None
    programme_section: str = ""
    amends_constitution: bool = False
    # What the motion changes in the constitution's rules or structure, if anything
    # (the fields of a constitution version; "structure" as the constitution API shows it).
    constitution_change: dict | None = None


class AmendmentIn(Schema):
    """Either a passage of the motion as tabled and its replacement (what members do),
    or a line range and its new lines (start = end + 1 inserts after end)."""

    passage: str | None = None
    replacement: str = ""
    start: int | None = None
    end: int | None = None
    new_text: str = ""
    reason: str = ""


class SpeakIn(Schema):
    point_of_order: bool = False


class SpeakerOut(Schema):
    id: int
    participant_id: int
    name: str | None  # None for a reader who may not see members' names
    group: str
    point_of_order: bool
    status: str
    requested_at: datetime
    started_at: datetime | None


class SpeakersOut(Schema):
    speaking: SpeakerOut | None
    waiting: list[SpeakerOut]
    speaking_seconds: int


class ProxyIn(Schema):
    # Named as the domain names its refusals: the holder's participant id.
    holder: int


class ProxyOut(Schema):
    giver_id: int
    holder_id: int
    holder: str


class SubstituteIn(Schema):
    # Named as the domain names its refusals: the substitute's member id.
    member: int


class TransferIn(Schema):
    to_substitute: bool = True


class VoteIn(Schema):
    motion_id: int | None = None
    amendment_id: int | None = None
    # Refused when given: the majority comes from the rules (kept so old clients hear why).
    supermajority: bool | None = None


class CastIn(Schema):
    # Any string: the domain says what a valid choice is and names "choice" when it is not.
    choice: str


class CastOut(Schema):
    ballots: int


class RankingIn(Schema):
    # Motion ids, first preference first; a full or partial ranking of the competing motions.
    ranking: list[int]


class MotionRef(Schema):
    id: int
    title: str


class RankingOut(Schema):
    order: list[MotionRef]
    ballots: int
    method: str
    # By motion id: ballots ranking the row's motion above the column's, and the strongest
    # (Schulze, winning votes) path strengths; ties broken by the seeded lot.
    pairwise: dict[str, dict[str, int]]
    strongest_paths: dict[str, dict[str, int]]
    ties: list[dict]


class ResultOut(Schema):
    yes: int
    no: int
    abstain: int
    carried: bool
    quorate: bool
    outcome: str  # carried, not carried or not quorate
    threshold: str


class NamedOut(Schema):
    participant_id: int
    name: str
    choice: str
    ballots: int
    ranking: list[int] | None = None


class VoteOut(Schema):
    id: int
    election_id: int
    kind: str  # "motion", "amendment" or "ranking" (of the competing motions on an item)
    subject: str
    motion_id: int | None
    amendment_id: int | None
    agenda_item_id: int | None
    options: list[MotionRef] | None
    ranking: RankingOut | None
    status: str
    secret: bool
    opened_at: datetime
    electorate: int | None
    # The rules the vote is decided by: the majority's name, the quorum (votes to be cast),
    # the votes present when it opened; outcome: open, carried, not carried, not quorate,
    # or ordered (a ranking).
    majority: str | None
    # The same rule as a stable code (simple, absolute, two-thirds, constitution,
    # programme; None for a rule of its own words) and in the request's language.
    # ``majority`` keeps the words recorded when the vote opened, for existing clients.
    majority_code: str | None
    majority_label: str | None
    quorum: int | None
    present: int | None
    session: int | None
    outcome: str
    cast: int
    result: ResultOut | None
    named: list[NamedOut] | None


class SectionOut(Schema):
    key: str
    title: str
    text: str


class ProgrammeVersionSummary(Schema):
    number: int
    adopted_at: datetime
    note: str
    motion_id: int | None
    vote_id: int | None
    assembly_id: int | None


class ProgrammeVersionOut(ProgrammeVersionSummary):
    sections: list[SectionOut]


class DiffOut(Schema):
    old: int
    new: int
    diff: str


# --- lookups ----------------------------------------------------------------------------


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


# --- serialisers --------------------------------------------------------------------------


def _item_out(item: AgendaItem) -> dict:
    return {
        "id": item.pk,
        "position": item.position,
        "title": item.title,
        "minutes": item.minutes,
        "report": item.report,
        "status": item.status,
    }


def _summary(assembly: Assembly) -> dict:
    return {
        "id": assembly.pk,
        "title": assembly.title,
        "kind": assembly.kind,
        "status": assembly.status,
        "branch": assembly.branch.slug,
        "starts_at": assembly.starts_at,
        "ends_at": assembly.ends_at,
        "motions_deadline": assembly.motions_deadline,
    }


def _assembly_out(assembly: Assembly) -> dict:
    agenda = list(assembly.agenda.all())
    current = next((i for i in agenda if i.status == AgendaItem.Status.CURRENT), None)
    chair = None
    if assembly.chair_office_id:
        from tribune.offices.models import Term

        term = (
            Term.objects.current()
            .filter(office_id=assembly.chair_office_id)
            .select_related("member")
            .first()
        )
        chair = term.member.name if term else None
    delegations = []
    if assembly.kind == Assembly.Kind.DELEGATES:
        delegations = [
            {"branch": b.slug, "name": b.name, "members": members, "seats": seats}
            for b, (members, seats) in services.delegations(assembly).items()
        ]
    open_vote = services.open_vote_of(assembly)
    return {
        **_summary(assembly),
        "chair_office_id": assembly.chair_office_id,
        "chair": chair,
        "standing_orders": {f: getattr(assembly, f) for f in StandingOrders.model_fields},
        "agenda": [_item_out(i) for i in agenda],
        "current_item": _item_out(current) if current else None,
        "participants": assembly.participants.count(),
        "delegations": delegations,
        "open_vote_id": open_vote.pk if open_vote else None,
        "events_url": reverse(
            "web:assembly_events", args=[assembly.organisation.slug, assembly.pk]
        ),
        "session": session_out(assembly),
    }


def _counts(snapshot: dict | None) -> dict | None:
    """An attendance snapshot as figures: who was present is for members (the participants
    list and the minutes say it to them), not for every reader of the assembly."""
    if snapshot is None:
        return None
    return {k: v for k, v in snapshot.items() if k not in ("present_names", "proxies")}


def _sitting_out(sitting) -> dict:
    return {
        "number": sitting.number,
        "opened_at": sitting.opened_at,
        "opened_by": sitting.opened_by.name,
        "ended_at": sitting.ended_at,
        "ended_how": sitting.ended_how,
        "attendance_at_open": _counts(sitting.attendance_at_open),
        "attendance_at_end": _counts(sitting.attendance_at_end),
    }


def session_out(assembly: Assembly) -> dict:
    sittings = list(assembly.sessions.select_related("opened_by"))
    current = sessions.current_session(assembly)
    return {
        "state": assembly.status,
        "current": _sitting_out(current) if current else None,
        "attendance": sessions.attendance(assembly).as_dict(),
        "sittings": [_sitting_out(s) for s in sittings],
    }


def _participant_out(p: Participant, proxies: dict[int, int]) -> dict:
    holder = proxies.get(p.pk)
    return {
        "id": p.pk,
        "member_id": p.member_id,
        "name": p.member.name,
        "delegation": p.delegation.slug if p.delegation else None,
        "weight": p.weight,
        "group": p.group,
        "voting": p.voting,
        "substitute_for": p.substitute_for_id,
        "proxy_holder": holder,
        "presence": "proxy" if holder else "present" if p.present else "absent",
    }


def _motion_summary(motion: Motion, names: bool = True) -> dict:
    """``names``: whether the reader may see members' names (``assemblies.rules``)."""
    return {
        "id": motion.pk,
        "title": motion.title,
        "status": motion.status,
        "agenda_item_id": motion.agenda_item_id,
        "tabled_by": motion.tabled_by.name if names else None,
        "on_behalf_of_branch": motion.on_behalf_of_branch.slug
        if motion.on_behalf_of_branch
        else None,
        "on_behalf_of_faction": (
            motion.on_behalf_of_faction.slug if motion.on_behalf_of_faction else None
        ),
        "programme_section": motion.programme_section,
        "amends_constitution": motion.amends_constitution,
        "constitution_change": motion.constitution_change,
        "tabled_at": motion.tabled_at,
    }


def _amendment_out(
    amendment: Amendment, flagged: set[str], tabled: str, names: bool = True
) -> dict:
    return {
        "id": amendment.pk,
        "label": amendment.label,
        "tabled_by": amendment.tabled_by.name if names else None,
        "start": amendment.start,
        "end": amendment.end,
        "replaces": textmerge.replaced_lines(tabled, amendment.start, amendment.end),
        "new_text": amendment.new_text,
        "reason": amendment.reason,
        "status": amendment.status,
        "conflict": amendment.label in flagged,
    }


def _motion_out(motion: Motion, names: bool = True) -> dict:
    versions = list(motion.versions.all())
    out_versions = []
    for i, version in enumerate(versions):
        before = versions[i - 1] if i else None
        out_versions.append(
            {
                "number": version.number,
                "text": version.text,
                "note": version.note,
                "created_at": version.created_at,
                "diff": textmerge.diff(
                    before.text, version.text, f"v{before.number}", f"v{version.number}"
                )
                if before
                else "",
            }
        )
    try:
        consolidated, clash = services.consolidated_text(motion), ""
    except textmerge.AmendmentConflict as conflict:
        consolidated, clash = None, str(conflict)
    conflicts = services.conflicting_amendments(motion)
    flagged = {label for pair in conflicts for label in pair}
    amendments = motion.amendments.select_related("tabled_by")
    return {
        **_motion_summary(motion, names),
        "versions": out_versions,
        "consolidated_text": consolidated,
        "consolidation_clash": clash,
        "amendments": [
            _amendment_out(a, flagged, versions[0].text if versions else "", names)
            for a in amendments
        ],
        "conflicts": [list(pair) for pair in conflicts],
    }


def _speaker_out(request: SpeakerRequest, names: bool = True) -> dict:
    return {
        "id": request.pk,
        "participant_id": request.participant_id,
        "name": request.participant.member.name if names else None,
        "group": request.participant.group,
        "point_of_order": request.point_of_order,
        "status": request.status,
        "requested_at": request.requested_at,
        "started_at": request.started_at,
    }


def _speakers_out(item: AgendaItem, names: bool = True) -> dict:
    speaking = (
        item.speakers.filter(status=SpeakerRequest.Status.SPEAKING)
        .select_related("participant__member")
        .first()
    )
    return {
        "speaking": _speaker_out(speaking, names) if speaking else None,
        "waiting": [_speaker_out(r, names) for r in services.speakers_list(item)],
        "speaking_seconds": item.assembly.speaking_minutes * 60,
    }


def _vote_out(vote: LiveVote, viewer: Member | None) -> dict:
    """The vote, its counts and result for all; who voted how only as ``rules.named_record``."""
    from tribune.elections.models import VoterRoll

    election = vote.election
    counted = election.status in (ElectionStatus.COUNTED, ElectionStatus.CERTIFIED) and bool(
        election.result
    )
    result = None
    rule = election.motion_rule or {}
    if counted and not vote.is_ranking:
        result = {
            **services.vote_counts(election),
            "carried": bool(election.passed),
            "quorate": vote.quorate is not False,
            "outcome": sessions.outcome(vote),
            "threshold": rule.get("threshold", "1/2"),
        }
    named = None
    record = rules.named_record(viewer, vote)
    if record is not None:
        named = [
            {
                "participant_id": n.participant_id,
                "name": n.participant.member.name,
                "choice": n.choice,
                "ballots": n.ballots,
                "ranking": n.ranking,
            }
            for n in record
        ]
    return {
        "id": vote.pk,
        "election_id": election.pk,
        "kind": "ranking" if vote.is_ranking else "amendment" if vote.amendment_id else "motion",
        "subject": election.title,
        "motion_id": vote.motion_id,
        "amendment_id": vote.amendment_id,
        "agenda_item_id": vote.item_id,
        "options": [{"id": pk, "title": title} for pk, title in election.options]
        if vote.is_ranking
        else None,
        "ranking": services.ranking_result(vote) if vote.is_ranking and counted else None,
        "status": election.status,
        "secret": vote.assembly.secret_votes,
        "opened_at": vote.opened_at,
        "electorate": election.electorate_size,
        "majority": rule.get("name") if not vote.is_ranking else None,
        "majority_code": sessions.rule_code(rule) if not vote.is_ranking else None,
        "majority_label": sessions.rule_text(rule) if not vote.is_ranking else None,
        "quorum": vote.quorum,
        "present": vote.present,
        "session": vote.session.number if vote.session_id else None,
        "outcome": sessions.outcome(vote),
        "cast": VoterRoll.objects.filter(election=election, voted=True).count(),
        "result": result,
        "named": named,
    }


def _programme_summary(version: ProgrammeVersion) -> dict:
    return {
        "number": version.number,
        "adopted_at": version.adopted_at,
        "note": version.note,
        "motion_id": version.motion_id,
        "vote_id": version.vote_id,
        "assembly_id": version.motion.assembly_id if version.motion_id else None,
    }


def _programme_out(version: ProgrammeVersion) -> dict:
    return {
        **_programme_summary(version),
        "sections": [
            {"key": s.key, "title": s.title, "text": s.text} for s in version.sections.all()
        ],
    }


def _programme_versions(slug: str) -> dict[int, ProgrammeVersion]:
    programme = get_object_or_404(Programme, organisation__slug=slug)
    versions = programme.versions.select_related("motion").prefetch_related("sections")
    return {v.number: v for v in versions}


def _as_text(version: ProgrammeVersion) -> str:
    return "".join(f"## {s.title}\n\n{s.text}\n" for s in version.sections.all())


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
