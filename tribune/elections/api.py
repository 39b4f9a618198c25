"""API: elections, candidacies, secret ballots, published boxes, recall and mandate reports.

Endpoints are thin: they find the records, name the acting member and call
``tribune.elections.services`` (or ``publication`` for what is public), so
every refusal is the domain's own, with the same message as in the web UI.
Elections, results, published boxes, petitions and reports are public records;
acting needs a login (401) and, where the domain says so, a mandate (403).
"""

import json
from datetime import date, datetime
from typing import Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t
from ninja import Router, Schema, Status

from tribune.api.common import acting, organisation_and_member
from tribune.api.schemas import ReasonIn
from tribune.api.types import Count, Id, Offset, PathText
from tribune.elections import publication, services, turnout
from tribune.elections.models import Candidacy, Election, MandateReport, RecallPetition
from tribune.lib.errors import RuleViolation
from tribune.members.models import Member
from tribune.members.rules import sees_member_names
from tribune.offices.models import Office, Term
from tribune.organisations.models import Organisation

router = Router(tags=["elections"])


# --- schemas ---------------------------------------------------------------------------


class CandidacyOut(Schema):
    id: int
    member_id: int
    name: str
    statement: str
    faction_label: str
    accepted: bool
    withdrawn: bool
    seconders: int
    on_ballot: bool
    elected_rank: int | None


class ElectionSummary(Schema):
    id: int
    kind: str
    title: str
    status: str
    method: str
    seats: int
    office_id: int | None
    voting_open_at: datetime
    voting_close_at: datetime


class TurnoutDayOut(Schema):
    day: date
    voted: int | None  # on the roll who had voted by the day's end; None: not recorded
    new: int | None


class ElectionOut(ElectionSummary):
    question: str
    electorate: str
    nominations_open_at: datetime | None
    nominations_close_at: datetime | None
    allow_vote_change: bool
    returning_office_id: int | None
    amendment: dict | None
    candidates: list[CandidacyOut]
    result: dict | None
    passed: bool | None
    turnout: int | None
    # Day by day (elections.turnout): counts kept by the clock, never a time per ballot.
    turnout_by_day: list[TurnoutDayOut] = []
    electorate_size: int | None
    cancelled_reason: str
    you_voted: bool | None = None


# The kinds a mandate may call (services.CALLABLE_KINDS) and every counting method
# (models.Method), spelt out so the OpenAPI schema lists the allowed values; a test
# keeps them equal to the domain's.
CallableKind = Literal["office", "referendum", "amendment"]
MethodName = Literal["irv", "scottish-stv", "meek-stv", "yes-no", "schulze"]


class CallIn(Schema):
    kind: CallableKind = "office"
    office_id: int | None = None
    title: str = ""
    question: str = ""
    seats: int | None = None
    method: MethodName | None = None
    returning_officer_id: int | None = None
    starts_at: datetime | None = None
    allow_vote_change: bool = True
    amendment: dict | None = None
    electorate_branch: str | None = None


class NominateIn(Schema):
    member_id: int
    statement: str = ""


class AcceptIn(Schema):
    statement: str = ""
    faction_label: str = ""


class BallotIn(Schema):
    # Any JSON: the domain says what a valid choice is and names "choice" when it is not.
    choice: Any
    key: str = ""


class ReceiptOut(Schema):
    tracker: str
    key: str
    replaced: bool


class TrackerOut(Schema):
    tracker: str
    in_box: bool
    published: bool


class PetitionIn(Schema):
    term_id: int
    reason: str


class PetitionOut(Schema):
    id: int
    term_id: int
    office_id: int
    office: str
    holder: str
    reason: str
    status: str
    signatures: int
    threshold: int
    electorate_size: int
    holder_reply: str
    election_id: int | None
    opened_at: datetime
    you_signed: bool | None = None


class ReplyIn(Schema):
    text: str


class ReportIn(Schema):
    title: str
    done: str
    not_done: str = ""


class CommentOut(Schema):
    id: int
    member_name: str
    text: str
    created_at: datetime


class ReportOut(Schema):
    id: int
    term_id: int
    office_id: int
    holder: str
    title: str
    done: str
    not_done: str
    published_at: datetime
    comments: list[CommentOut] | None = None


class CommentIn(Schema):
    text: str


# --- lookups ----------------------------------------------------------------------------


def _election(organisation: Organisation, election_id: int) -> Election:
    return get_object_or_404(Election, organisation=organisation, pk=election_id)


def _candidacy(organisation: Organisation, election_id: int, candidacy_id: int) -> Candidacy:
    return get_object_or_404(
        Candidacy.objects.select_related("election__organisation", "member"),
        election__organisation=organisation,
        election_id=election_id,
        pk=candidacy_id,
    )


def _term(organisation: Organisation, term_id: int) -> Term:
    return get_object_or_404(
        Term.objects.select_related("office__body__organisation", "office__body__branch", "member"),
        office__body__organisation=organisation,
        pk=term_id,
    )


def _petition(organisation: Organisation, petition_id: int) -> RecallPetition:
    return get_object_or_404(
        RecallPetition.objects.select_related("term__office__body__organisation", "term__member"),
        term__office__body__organisation=organisation,
        pk=petition_id,
    )


def _org_member(organisation: Organisation, member_id: int | None, field: str) -> Member | None:
    if member_id is None:
        return None
    member = Member.objects.filter(organisation=organisation, pk=member_id).first()
    if member is None:
        raise RuleViolation(_t("No such member in this organisation."), field)
    return member


# --- serialisers --------------------------------------------------------------------------


def _summary(election: Election) -> dict:
    return {
        "id": election.pk,
        "kind": election.kind,
        "title": election.title,
        "status": election.status,
        "method": election.method,
        "seats": election.seats,
        "office_id": election.office_id,
        "voting_open_at": election.voting_open_at,
        "voting_close_at": election.voting_close_at,
    }


def _candidacy_out(candidacy: Candidacy, on_ballot: set[int]) -> dict:
    return {
        "id": candidacy.pk,
        "member_id": candidacy.member_id,
        "name": candidacy.member.name,
        "statement": candidacy.statement,
        "faction_label": candidacy.faction_label,
        "accepted": candidacy.accepted_at is not None,
        "withdrawn": candidacy.withdrawn_at is not None,
        "seconders": len(candidacy.secondings.all()),
        "on_ballot": candidacy.pk in on_ballot,
        "elected_rank": candidacy.elected_rank,
    }


def _election_out(election: Election, viewer: Member | None = None) -> dict:
    on_ballot = set(services.candidate_names(election)) if election.has_candidates else set()
    candidacies = election.candidacies.select_related("member").prefetch_related("secondings")
    return {
        **_summary(election),
        "question": election.question,
        "electorate": election.electorate.slug,
        "nominations_open_at": election.nominations_open_at,
        "nominations_close_at": election.nominations_close_at,
        "allow_vote_change": election.allow_vote_change,
        "returning_office_id": election.returning_office_id,
        "amendment": election.amendment,
        "candidates": [_candidacy_out(c, on_ballot) for c in candidacies],
        "result": election.result,
        "passed": election.passed,
        "turnout": election.turnout,
        "turnout_by_day": [
            {"day": d["day"], "voted": d["voted"], "new": d["new"]} for d in turnout.days(election)
        ],
        "electorate_size": election.electorate_size,
        "cancelled_reason": election.cancelled_reason,
        "you_voted": services.has_voted(viewer, election) if viewer is not None else None,
    }


def _petition_out(petition: RecallPetition, viewer: Member | None = None) -> dict:
    out = publication.petition_summary(petition)
    if viewer is not None:
        out["you_signed"] = petition.signatures.filter(member=viewer).exists()
    return out


def _report_out(report: MandateReport, with_comments: bool) -> dict:
    term = report.term
    out = {
        "id": report.pk,
        "term_id": term.pk,
        "office_id": term.office_id,
        "holder": term.member.name,
        "title": report.title,
        "done": report.done,
        "not_done": report.not_done,
        "published_at": report.published_at,
    }
    if with_comments:
        # Comments are members' speech: shown to members, like the member directory.
        out["comments"] = [
            {"id": c.pk, "member_name": c.member.name, "text": c.text, "created_at": c.created_at}
            for c in report.comments.select_related("member")
        ]
    return out


# --- elections ----------------------------------------------------------------------------


@router.get("/{slug}/elections", response=list[ElectionSummary])
def list_elections(
    request,
    slug: PathText,
    status: str | None = None,
    limit: Count = 100,
    offset: Offset = 0,
):
    """The organisation's votes, latest closing first (``limit``, at most 500, from ``offset``)."""
    organisation, _viewer = organisation_and_member(request, slug)
    elections = Election.objects.filter(organisation=organisation).order_by(
        "-voting_close_at", "-pk"
    )
    if status:
        elections = elections.filter(status=status)
    limit = max(1, min(limit, 500))
    return [_summary(e) for e in elections[offset : offset + limit]]


@router.post("/{slug}/elections", response={201: ElectionOut})
def call_election(request, slug: PathText, payload: CallIn):
    organisation, actor = acting(request, slug)
    office = None
    if payload.office_id is not None:
        office = Office.objects.filter(
            body__organisation=organisation, pk=payload.office_id
        ).first()
        if office is None:
            raise RuleViolation(_t("No such office in this organisation."), "office_id")
    branch = None
    if payload.electorate_branch:
        branch = organisation.branches.filter(slug=payload.electorate_branch).first()
        if branch is None:
            raise RuleViolation(_t("Unknown branch."), "electorate_branch")
    election = services.call_election(
        actor,
        office=office,
        kind=payload.kind,
        title=payload.title,
        question=payload.question,
        seats=payload.seats,
        method=payload.method,
        returning_officer=_org_member(
            organisation, payload.returning_officer_id, "returning_officer_id"
        ),
        starts_at=payload.starts_at,
        allow_vote_change=payload.allow_vote_change,
        amendment=payload.amendment,
        electorate_branch=branch or organisation.root_branch,
    )
    return Status(201, _election_out(election, actor))


@router.get("/{slug}/elections/{election_id}", response=ElectionOut)
def get_election(request, slug: PathText, election_id: Id):
    organisation, viewer = organisation_and_member(request, slug)
    return _election_out(_election(organisation, election_id), viewer)


@router.post("/{slug}/elections/{election_id}/certify", response=ElectionOut)
def certify(request, slug: PathText, election_id: Id):
    organisation, actor = acting(request, slug)
    election = services.certify(actor, _election(organisation, election_id))
    return _election_out(election, actor)


@router.post("/{slug}/elections/{election_id}/cancel", response=ElectionOut)
def cancel(request, slug: PathText, election_id: Id, payload: ReasonIn):
    organisation, actor = acting(request, slug)
    election = services.cancel_election(actor, _election(organisation, election_id), payload.reason)
    return _election_out(election, actor)


# --- candidacies --------------------------------------------------------------------------


@router.post("/{slug}/elections/{election_id}/candidacies", response={201: CandidacyOut})
def nominate(request, slug: PathText, election_id: Id, payload: NominateIn):
    """Nominate any member, yourself included; a self-nomination stands at once."""
    organisation, actor = acting(request, slug)
    election = _election(organisation, election_id)
    nominee = _org_member(organisation, payload.member_id, "member_id")
    candidacy = services.nominate(actor, election, nominee, statement=payload.statement)
    return Status(201, _candidacy_out(candidacy, set()))


def _candidacy_response(candidacy: Candidacy) -> dict:
    candidacy = Candidacy.objects.select_related("member").get(pk=candidacy.pk)
    return _candidacy_out(candidacy, set(services.candidate_names(candidacy.election)))


@router.post(
    "/{slug}/elections/{election_id}/candidacies/{candidacy_id}/accept", response=CandidacyOut
)
def accept(request, slug: PathText, election_id: Id, candidacy_id: Id, payload: AcceptIn):
    organisation, actor = acting(request, slug)
    candidacy = services.accept_nomination(
        actor,
        _candidacy(organisation, election_id, candidacy_id),
        statement=payload.statement,
        faction_label=payload.faction_label,
    )
    return _candidacy_response(candidacy)


@router.post(
    "/{slug}/elections/{election_id}/candidacies/{candidacy_id}/withdraw", response=CandidacyOut
)
def withdraw(request, slug: PathText, election_id: Id, candidacy_id: Id):
    organisation, actor = acting(request, slug)
    candidacy = _candidacy(organisation, election_id, candidacy_id)
    return _candidacy_response(services.withdraw_candidacy(actor, candidacy))


@router.post(
    "/{slug}/elections/{election_id}/candidacies/{candidacy_id}/second",
    response={201: CandidacyOut},
)
def second(request, slug: PathText, election_id: Id, candidacy_id: Id):
    organisation, actor = acting(request, slug)
    candidacy = _candidacy(organisation, election_id, candidacy_id)
    services.second_nomination(actor, candidacy)
    return Status(201, _candidacy_response(candidacy))


# --- the secret ballot ----------------------------------------------------------------------


@router.post("/{slug}/elections/{election_id}/ballots", response={201: ReceiptOut})
def cast(request, slug: PathText, election_id: Id, payload: BallotIn):
    """Cast a ballot; keep the tracker to find it in the published box, the key to change it."""
    organisation, voter = acting(request, slug)
    election = _election(organisation, election_id)
    receipt = services.cast_ballot(voter, election, payload.choice, key=payload.key)
    return Status(
        201, {"tracker": receipt.tracker, "key": receipt.key, "replaced": receipt.replaced}
    )


@router.get("/{slug}/elections/{election_id}/box")
def box(request, slug: PathText, election_id: Id):
    """The published ballot box (random order, with trackers); anyone can recount it."""
    organisation, _viewer = organisation_and_member(request, slug)
    election = _election(organisation, election_id)
    publication.require_published(election)
    text = services.once_certified(
        election,
        "box.api",
        lambda: json.dumps(publication.box(election), cls=DjangoJSONEncoder, ensure_ascii=False),
    )
    return HttpResponse(text, content_type="application/json; charset=utf-8")


@router.get("/{slug}/elections/{election_id}/box.blt")
def box_blt(request, slug: PathText, election_id: Id):
    organisation, _viewer = organisation_and_member(request, slug)
    text = publication.blt(_election(organisation, election_id))
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@router.get("/{slug}/elections/{election_id}/trackers/{tracker}", response=TrackerOut)
def check_tracker(request, slug: PathText, election_id: Id, tracker: PathText):
    organisation, _viewer = organisation_and_member(request, slug)
    election = _election(organisation, election_id)
    return {
        "tracker": tracker,
        "in_box": publication.tracker_in_box(election, tracker),
        "published": election.status in publication.PUBLISHED,
    }


# --- recall -------------------------------------------------------------------------------


@router.get("/{slug}/recalls", response=list[PetitionOut])
def list_petitions(request, slug: PathText):
    organisation, _viewer = organisation_and_member(request, slug)
    petitions = RecallPetition.objects.filter(
        term__office__body__organisation=organisation
    ).select_related("term__office", "term__member")
    return [_petition_out(p) for p in petitions]


@router.post("/{slug}/recalls", response={201: PetitionOut})
def open_petition(request, slug: PathText, payload: PetitionIn):
    organisation, actor = acting(request, slug)
    petition = services.open_recall_petition(
        actor, _term(organisation, payload.term_id), payload.reason
    )
    return Status(201, _petition_out(_petition(organisation, petition.pk), actor))


@router.get("/{slug}/recalls/{petition_id}", response=PetitionOut)
def get_petition(request, slug: PathText, petition_id: Id):
    organisation, viewer = organisation_and_member(request, slug)
    return _petition_out(_petition(organisation, petition_id), viewer)


@router.post("/{slug}/recalls/{petition_id}/sign", response={201: PetitionOut})
def sign(request, slug: PathText, petition_id: Id):
    organisation, actor = acting(request, slug)
    services.sign_recall_petition(actor, _petition(organisation, petition_id))
    return Status(201, _petition_out(_petition(organisation, petition_id), actor))


@router.post("/{slug}/recalls/{petition_id}/withdraw", response=PetitionOut)
def unsign(request, slug: PathText, petition_id: Id):
    organisation, actor = acting(request, slug)
    services.withdraw_signature(actor, _petition(organisation, petition_id))
    return _petition_out(_petition(organisation, petition_id), actor)


@router.post("/{slug}/recalls/{petition_id}/reply", response=PetitionOut)
def reply(request, slug: PathText, petition_id: Id, payload: ReplyIn):
    organisation, actor = acting(request, slug)
    services.reply_to_recall(actor, _petition(organisation, petition_id), payload.text)
    return _petition_out(_petition(organisation, petition_id), actor)


# --- mandate reports ------------------------------------------------------------------------


def _reports(request, slug: str, **filters) -> list[dict]:
    organisation, viewer = organisation_and_member(request, slug)
    reports = MandateReport.objects.filter(
        term__office__body__organisation=organisation, **filters
    ).select_related("term__member")
    # Comments are members' speech, under their names: for members (members.rules).
    comments = sees_member_names(viewer, organisation)
    return [_report_out(r, comments) for r in reports]


@router.get("/{slug}/offices/{office_id}/reports", response=list[ReportOut])
def office_reports(request, slug: PathText, office_id: Id):
    organisation, _viewer = organisation_and_member(request, slug)
    get_object_or_404(Office, body__organisation=organisation, pk=office_id)
    return _reports(request, slug, term__office_id=office_id)


@router.get("/{slug}/terms/{term_id}/reports", response=list[ReportOut])
def term_reports(request, slug: PathText, term_id: Id):
    organisation, _viewer = organisation_and_member(request, slug)
    _term(organisation, term_id)
    return _reports(request, slug, term_id=term_id)


@router.post("/{slug}/terms/{term_id}/reports", response={201: ReportOut})
def publish_report(request, slug: PathText, term_id: Id, payload: ReportIn):
    organisation, actor = acting(request, slug)
    report = services.publish_report(
        actor,
        _term(organisation, term_id),
        title=payload.title,
        done=payload.done,
        not_done=payload.not_done,
    )
    return Status(201, _report_out(report, with_comments=True))


@router.post("/{slug}/reports/{report_id}/comments", response={201: CommentOut})
def comment(request, slug: PathText, report_id: Id, payload: CommentIn):
    organisation, actor = acting(request, slug)
    report = get_object_or_404(
        MandateReport.objects.select_related("term__office__body__organisation"),
        term__office__body__organisation=organisation,
        pk=report_id,
    )
    made = services.comment_on_report(actor, report, payload.text)
    return Status(
        201,
        {
            "id": made.pk,
            "member_name": actor.name,
            "text": made.text,
            "created_at": made.created_at,
        },
    )
