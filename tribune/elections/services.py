"""Elections from call to certified result, recall, and mandate reports.

Every step is an action that checks its mandate (or runs "by rule", from the
scheduler, with no actor), is dated by the server clock, writes in one
transaction and appends to the audit chain. Counting is done by the voting
engine (``tribune.voting``) on the ballot box exactly as it is published, so
anyone can recount the published box and reach the certified result.
"""

import hashlib
import json
import math
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import ngettext

from tribune import voting
from tribune.audit.log import private_ref, record
from tribune.constitution import services as constitution_services
from tribune.constitution.models import ConstitutionVersion
from tribune.elections import sealing, turnout
from tribune.elections.models import (
    YES_NO_CHOICES,
    Ballot,
    Candidacy,
    Election,
    Kind,
    MandateReport,
    Method,
    PetitionStatus,
    RecallPetition,
    RecallSignature,
    ReportComment,
    Seconding,
    Status,
    VoterRoll,
)
from tribune.lib import ratelimit
from tribune.lib.clock import each_alone
from tribune.lib.errors import NotPermitted, RuleViolation, TooManyAttempts
from tribune.lib.inputs import MAX_SEATS, check_moment, check_whole_number
from tribune.lib.prepared import Prepared
from tribune.members.models import Member, Standing
from tribune.offices.models import BodyKind, Office, Term, TermSource
from tribune.offices.rules import mandate_for
from tribune.offices.services import begin_term, consecutive_terms, single_use_office
from tribune.offices.services import term_limit as office_term_limit

# At most 20 ballot submissions per voter per minute, counted outside the database
# (tribune.lib.ratelimit): a voter's attempts carry time, so they never sit beside the box.
VOTE_RATE_LIMIT = ratelimit.Limit("vote", attempts=20, seconds=60)
BACKDATING = timedelta(minutes=5)  # clock skew tolerated when a start time is given


# --- who belongs to an electorate ------------------------------------------------------


def _holders_of(body_id: int):
    """Members in good standing holding one of a body's offices now."""
    current = Term.objects.current().filter(office__body_id=body_id).values("member_id")
    return Member.objects.filter(standing=Standing.GOOD, pk__in=current)


def electorate(of):
    """Members who vote in an election, or elect and may recall an office.

    ``of`` is an Election, an Office, a Body or a Branch. A faction's members
    are the electorate of its own bodies and elections; an office the structure
    has elected by another body, or by another branch, has that electorate;
    otherwise the members in good standing of the branch and every branch below it.
    """
    if isinstance(of, Office):
        if of.electorate_kind == "body" and of.electorate_body_id:
            return _holders_of(of.electorate_body_id)
        if of.electorate_kind == "branch" and of.electorate_branch_id:
            return electorate(of.electorate_branch)
        return electorate(of.body)
    if getattr(of, "electorate_body_id", None):
        return _holders_of(of.electorate_body_id)
    if getattr(of, "electorate_assembly_id", None):
        from tribune.assemblies.models import Participant

        voting = Participant.objects.filter(
            assembly_id=of.electorate_assembly_id, voting=True
        ).values("member_id")
        return Member.objects.filter(standing=Standing.GOOD, pk__in=voting)
    faction_id = getattr(of, "faction_id", None)
    if faction_id is not None:
        return Member.objects.filter(
            standing=Standing.GOOD, faction_memberships__faction_id=faction_id
        )
    branch = getattr(of, "electorate", None) or getattr(of, "branch", None) or of
    return Member.objects.filter(
        organisation_id=branch.organisation_id,
        standing=Standing.GOOD,
        home_branch_id__in=branch.subtree_ids(),
    )


def in_electorate(member: Member | None, of) -> bool:
    return (
        member is not None
        and member.in_good_standing
        and electorate(of).filter(pk=member.pk).exists()
    )


# --- calling elections -----------------------------------------------------------------


def _schedule(constitution, start, *, nominations: bool):
    if nominations:
        nominations_close = start + timedelta(days=constitution.nomination_days)
        return (
            start,
            nominations_close,
            nominations_close,
            (nominations_close + timedelta(days=constitution.voting_days)),
        )
    return None, None, start, start + timedelta(days=constitution.voting_days)


def _returning_office(organisation, election: Election, officer: Member) -> Office:
    """The returning officer's mandate: an office for this one election."""
    return single_use_office(
        organisation,
        body_slug="returning-officers",
        body_name=_t("Returning officers"),
        title=_t("Returning officer: %(title)s") % {"title": election.title},
        mandate=_t(
            "Run this election impartially: keep to its published dates, certify the count "
            "of the ballot box as published, and answer members' questions about the process."
        ),
        holder=officer,
        until=election.voting_close_at + timedelta(days=29),
    )


# What a mandate (or the clock) may call. The other kinds have their own door, which
# applies their own rules: a recall vote opens when a petition reaches its threshold,
# an assembly's votes are opened by its chair in the hall, and a faction's dissolution
# is proposed by one of its own members (``call_dissolution_vote``).
CALLABLE_KINDS = (Kind.OFFICE, Kind.REFERENDUM, Kind.AMENDMENT)


def _check_kind_and_method(kind: str, method: str | None) -> None:
    """Refuse at the door what the clock could not carry to a result later."""
    if kind not in CALLABLE_KINDS:
        reasons = {
            Kind.RECALL: _t(
                "A recall vote is not called: it opens when a petition reaches its threshold."
            ),
            Kind.ASSEMBLY: _t("A vote at an assembly is opened by its chair, in the hall."),
            Kind.DISSOLUTION: _t("A faction's dissolution is proposed by one of its members."),
        }
        raise RuleViolation(
            reasons.get(kind)
            or _t(
                "Unknown kind of vote “%(kind)s”: call an election to office, a referendum "
                "or a constitutional amendment."
            )
            % {"kind": kind},
            "kind",
        )
    if method and method not in Method.values:
        raise RuleViolation(
            _t("Unknown counting method “%(method)s”: choose one of %(methods)s.")
            % {"method": method, "methods": ", ".join(Method.values)},
            "method",
        )
    if kind != Kind.OFFICE and method and method != Method.YES_NO:
        raise RuleViolation(
            _t("A referendum or an amendment is counted yes / no / abstain."), "method"
        )


def call_election(
    actor: Member | None, *, kind: str = Kind.OFFICE, method: str | None = None, **options
) -> Election:
    """Call an election (by a mandate with ``call_elections``, or by rule when actor is None).

    Only the kinds in ``CALLABLE_KINDS``, counted by a method of ``Method``:
    anything else is refused here, naming the field, rather than left for the
    clock to trip over when the vote opens, closes or is certified. ``options``
    are ``_call``'s: office, title, question, seats, returning_officer,
    starts_at, allow_vote_change, amendment, electorate_branch.
    """
    if "faction" in options:
        raise TypeError("a faction's own votes are called by the faction's services")
    if {"schedule", "electorate_assembly"} & set(options):
        raise TypeError("a congress's elections are called by call_congress_election")
    _check_kind_and_method(kind, method)
    return _call(actor, kind=kind, method=method, **options)


def call_dissolution_vote(faction, *, title: str, question: str) -> Election:
    """Put a faction's dissolution to its own members (from ``propose_dissolution`` only)."""
    return _call(
        None,
        kind=Kind.DISSOLUTION,
        title=title,
        question=question,
        electorate_branch=faction.organisation.root_branch,
        faction=faction,
    )


@transaction.atomic
def _call(
    actor: Member | None,
    *,
    office: Office | None = None,
    kind: str = Kind.OFFICE,
    title: str = "",
    question: str = "",
    seats: int | None = None,
    method: str | None = None,
    returning_officer: Member | None = None,
    starts_at=None,
    allow_vote_change: bool = True,
    amendment: dict | None = None,
    electorate_branch=None,
    faction=None,
    electorate_assembly=None,
    schedule=None,
) -> Election:
    """Call an election (by a mandate with ``call_elections``, or by rule when actor is None).

    ``electorate_assembly`` and ``schedule`` (nominations open and close, voting opens
    and closes) are for an election a congress holds at its sitting.
    """
    # Checked first: a date beyond year 2999 overflows the schedule computed from it.
    check_moment(starts_at, field="starts_at")
    if seats is not None:
        check_whole_number(seats, field="seats", low=1, high=MAX_SEATS)
    if kind == Kind.OFFICE and office is None:
        raise RuleViolation(_t("Choose the office to elect."), "office")
    if office is not None and office.electorate_kind == "congress" and electorate_assembly is None:
        raise RuleViolation(
            _t("This office is elected by a congress, at its sitting: its chair calls it."),
            "office",
        )
    if office is None and electorate_branch is None:
        raise RuleViolation(_t("Choose who votes."), "electorate_branch")
    if actor is not None and starts_at is not None and starts_at < timezone.now() - BACKDATING:
        # A backdated call would shorten the nomination period the constitution guarantees.
        raise RuleViolation(_t("An election cannot be called to start in the past."), "starts_at")
    organisation = office.body.organisation if office else electorate_branch.organisation
    constitution = organisation.current_constitution()
    branch = office.body.branch if office else (electorate_branch or organisation.root_branch)
    faction = office.body.faction if office else faction
    if actor is None:
        term = None
    elif faction is not None:
        from tribune.factions.rules import faction_term

        term = faction_term(actor, faction)
    else:
        term = mandate_for(actor, "call_elections", branch)
    if kind == Kind.OFFICE and office is None:
        raise RuleViolation(_t("Choose the office to elect."), "office")
    if kind in (Kind.REFERENDUM, Kind.AMENDMENT, Kind.DISSOLUTION) and not question.strip():
        raise RuleViolation(_t("Put the question to the members."), "question")
    seats = seats or (office.seats if office else 1)
    if kind == Kind.OFFICE and seats > office.seats:
        # Every winner must have a seat to take, or the result could never be certified.
        raise RuleViolation(
            _t("This office has %(n)s seats: an election fills at most that many.")
            % {"n": office.seats},
            "seats",
        )
    if kind == Kind.OFFICE:
        # The structure's method for the office, unless the caller chose another.
        method = method or office.method or (Method.IRV if seats == 1 else Method.SCOTTISH_STV)
        if method == Method.IRV and seats > 1:
            method = Method.SCOTTISH_STV
        if method in (Method.YES_NO, Method.SCHULZE) or (seats > 1 and method == Method.IRV):
            raise RuleViolation(_t("Choose a counting method for this office."), "method")
    else:
        method = Method.YES_NO
    if kind == Kind.AMENDMENT:
        _check_amendment(organisation, amendment)
    start = starts_at or timezone.now()
    n_open, n_close, v_open, v_close = schedule or _schedule(
        constitution, start, nominations=kind == Kind.OFFICE
    )
    election = Election.objects.create(
        organisation=organisation,
        kind=kind,
        # A referendum or amendment without a title is named by its question.
        title=title
        or (_t("Election: %(office)s") % {"office": office.title} if office else question[:300]),
        question=question,
        office=office,
        seats=seats,
        method=method,
        electorate=(
            office.electorate_branch
            if office is not None
            and office.electorate_kind == "branch"
            and office.electorate_branch_id
            else branch
        ),
        electorate_body=(
            office.electorate_body
            if office is not None and office.electorate_kind == "body"
            else None
        ),
        electorate_assembly=electorate_assembly,
        nominations_open_at=n_open,
        nominations_close_at=n_close,
        voting_open_at=v_open,
        voting_close_at=v_close,
        allow_vote_change=allow_vote_change,
        faction=faction,
        called_by=actor,
        amendment=amendment,
        seed=secrets.randbits(62),
    )
    if returning_officer is not None:
        election.returning_office = _returning_office(organisation, election, returning_officer)
        election.save(update_fields=["returning_office"])
    record(
        organisation,
        "election.called",
        actor=actor,
        term=term,
        target=election,
        data={
            "kind": kind,
            "office": office.pk if office else None,
            "method": method,
            "seats": seats,
            "voting_open_at": v_open,
            "voting_close_at": v_close,
            "by_rule": actor is None,
        },
    )
    advance(election)
    return Election.objects.get(pk=election.pk)


def call_congress_election(office: Office, assembly, *, seats: int) -> Election:
    """An office the structure has a congress elect: nominations until the congress opens,
    voting while it sits, by its participants (``assemblies.call_congress_elections``)."""
    now = timezone.now()
    return _call(
        None,
        office=office,
        seats=seats,
        electorate_assembly=assembly,
        schedule=(now, assembly.starts_at, assembly.starts_at, assembly.ends_at),
        title=_t("%(office)s: elected by %(assembly)s")
        % {"office": office.title, "assembly": assembly.title},
    )


def _check_amendment(organisation, amendment: dict | None) -> None:
    """A proposed amendment must itself respect every guarantee."""
    constitution_services.check_amendment(organisation, amendment)


# --- the clock drives the lifecycle --------------------------------------------------------


def _move(election: Election, to: str, *, actor=None, term=None, data=None) -> None:
    was = election.status
    election.status = to
    election.save(update_fields=["status"])
    record(
        election.organisation,
        f"election.{to}",
        actor=actor,
        term=term,
        target=election,
        data={"from": was, **(data or {})},
    )


def step_due(election: Election, now=None) -> bool:
    """Does the clock allow ``election`` (as read) a step ``advance`` would take?

    Without a lock: a page about to show the election asks this first, so that
    viewing one that has nothing due (a certified result, say) takes no write lock
    and no transaction; ``advance`` checks again under its lock.
    """
    now = now or timezone.now()
    status = election.status
    return (
        (
            status == Status.CALLED
            and election.kind == Kind.OFFICE
            and now >= election.nominations_open_at
        )
        or (status == Status.NOMINATIONS and now >= election.nominations_close_at)
        or (status in {Status.CALLED, Status.NOMINATIONS_CLOSED} and now >= election.voting_open_at)
        or (status == Status.VOTING and now >= election.voting_close_at)
    )


@transaction.atomic
def advance(election: Election, now=None) -> Election:
    """Take every step the server clock now allows; safe to call at any time, repeatedly."""
    now = now or timezone.now()
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status == Status.CALLED and election.kind == Kind.OFFICE:
        if now >= election.nominations_open_at:
            _move(election, Status.NOMINATIONS)
    if election.status == Status.NOMINATIONS and now >= election.nominations_close_at:
        _move(election, Status.NOMINATIONS_CLOSED)
    ready = {Status.CALLED, Status.NOMINATIONS_CLOSED}
    if election.status in ready and now >= election.voting_open_at:
        standing = _ballot_candidacies(election) if election.kind == Kind.OFFICE else []
        if election.kind == Kind.OFFICE and not standing:
            _move(election, Status.CANCELLED, data={"reason": "no candidates"})
            election.cancelled_reason = (
                _t("No one stood.")
                if election.office.body.kind in PER_OCCASION
                else _t("No one stood: a new election will be called.")
            )
            election.save(update_fields=["cancelled_reason"])
            return election
        if (
            standing
            and len(standing) <= election.seats
            and election.organisation.current_constitution().uncontested_returns
        ):
            return _return_unopposed(election)
        _open_voting(election)
    if election.status == Status.VOTING:
        turnout.note(election, now)  # the clock keeps each ended day's count, not a cast
    if election.status == Status.VOTING and now >= election.voting_close_at:
        _move(election, Status.VOTING_CLOSED)
        election = count(election)
        if election.returning_office_id is None:
            election = certify(None, election)
    return election


def _return_unopposed(election: Election) -> Election:
    """No more candidates than seats, and the constitution returns them without a vote."""
    names = candidate_names(election)
    for rank, candidacy_id in enumerate(names, start=1):
        Candidacy.objects.filter(pk=candidacy_id).update(elected_rank=rank)
    result = voting.Result(
        method=election.method,
        seats=election.seats,
        elected=list(names.values()),
        parameters={"returned_unopposed": True},
    ).to_dict()
    result["outcome"] = _t(
        "Returned unopposed: no more candidates stood than there are seats, and the "
        "constitution returns them without a vote."
    )
    election.result, election.turnout = result, 0
    election.electorate_size = electorate(election).count()
    election.save(update_fields=["result", "turnout", "electorate_size"])
    _move(election, Status.COUNTED, data={"returned_unopposed": len(names)})
    if election.returning_office_id is None:
        election = certify(None, election)
    return election


def _open_voting(election: Election) -> None:
    """Freeze the voter roll: members in good standing of the electorate at this moment."""
    members = list(electorate(election).values_list("id", flat=True))
    VoterRoll.objects.bulk_create(
        [VoterRoll(election=election, member_id=m) for m in members], ignore_conflicts=True
    )
    election.electorate_size = len(members)
    election.save(update_fields=["electorate_size"])
    _move(election, Status.VOTING, data={"electorate": len(members)})


def advance_all(now=None) -> int:
    """The scheduler's tick: advance every unfinished election, each alone.

    An election that cannot be advanced (say, a row older code let in) is
    logged and skipped; it never stops the clock for the others.
    """
    unfinished = list(
        Election.objects.exclude(
            status__in=[Status.COUNTED, Status.CERTIFIED, Status.CANCELLED]
        ).only("pk", "status")
    )
    return sum(
        each_alone(unfinished, lambda e: advance(e, now).status != e.status, what="election")
    )


def _returning_term(actor: Member | None, election: Election) -> Term:
    if election.returning_office_id is None:
        raise NotPermitted(_t("This election is run by rule; it has no returning officer."))
    term = (
        Term.objects.current().filter(office_id=election.returning_office_id, member=actor).first()
        if actor is not None
        else None
    )
    if term is None or not actor.in_good_standing:
        raise NotPermitted(_t("Only this election's returning officer can do this."))
    return term


def _cancelling_term(actor: Member, election: Election) -> Term:
    """Besides its returning officer, who may cancel a vote: only whoever may call it.

    A faction's elections are its own (its officers, never the organisation's);
    a recall vote, a faction's dissolution and a vote in the hall are not called
    by a mandate, so no mandate cancels them either.
    """
    if election.kind == Kind.RECALL:
        raise NotPermitted(
            _t("A recall vote cannot be cancelled: the petition's signers called it.")
        )
    if election.kind == Kind.DISSOLUTION:
        raise NotPermitted(
            _t("A faction's dissolution is its members' vote: no one can cancel it.")
        )
    if election.kind == Kind.ASSEMBLY:
        raise NotPermitted(_t("A vote at an assembly is the chair's, in the hall."))
    if election.faction_id is not None:
        from tribune.factions.rules import faction_term

        return faction_term(actor, election.faction)
    return mandate_for(actor, "call_elections", election.electorate)


def may_cancel(member: Member | None, election: Election) -> bool:
    """Whether ``member`` may cancel ``election`` now (for pages that offer the button)."""
    if member is None or election.status in (Status.COUNTED, Status.CERTIFIED, Status.CANCELLED):
        return False
    for mandate in (_returning_term, _cancelling_term):
        try:
            mandate(member, election)
        except NotPermitted:
            continue
        return True
    return False


@transaction.atomic
def cancel_election(actor: Member, election: Election, reason: str) -> Election:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_t("A written reason is required."), "reason")
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status in (Status.COUNTED, Status.CERTIFIED, Status.CANCELLED):
        raise RuleViolation(_t("This election is finished and cannot be cancelled."))
    try:
        term = _returning_term(actor, election)
    except NotPermitted:
        term = _cancelling_term(actor, election)
    election.cancelled_reason = reason
    election.save(update_fields=["cancelled_reason"])
    _move(election, Status.CANCELLED, actor=actor, term=term, data={"reason": reason})
    return election


def cancel_for_abolished_offices(sender, *, version, abolished, **kwargs) -> None:
    """An office the constitution abolished is not elected: its unfinished elections end."""
    reason = _t("The office was abolished by constitution version %(n)s.") % {"n": version.number}
    for election in Election.objects.filter(office__in=abolished).exclude(
        status__in=[Status.COUNTED, Status.CERTIFIED, Status.CANCELLED]
    ):
        election.cancelled_reason = reason
        election.save(update_fields=["cancelled_reason"])
        _move(election, Status.CANCELLED, data={"reason": reason, "by_rule": True})


# --- open candidacy ------------------------------------------------------------------


def candidacy_problem(member: Member, election: Election) -> str | None:
    """Why ``member`` may not stand in ``election``, or None. The only refusals there are."""
    if not member.in_good_standing:
        return _t("Only members in good standing may stand.")
    if member.organisation_id != election.organisation_id:
        return _t("Only members of this organisation may stand.")
    if election.faction_id is not None and not in_electorate(member, election):
        # A faction's offices are its own: stood for, like elected, by its members only.
        return _t("Only members of %(faction)s may stand for its offices.") % {
            "faction": election.faction.name
        }
    if (
        election.returning_office_id
        and Term.objects.filter(office_id=election.returning_office_id, member=member).exists()
    ):
        return _t("The returning officer cannot stand in the election they run.")
    limit = office_term_limit(election.office)
    if consecutive_terms(election.office, member, election.voting_close_at + timedelta(days=1)) >= (
        limit
    ):
        return _t(
            "%(name)s has served the constitution's limit of %(limit)s consecutive terms in "
            "this office."
        ) % {"name": member.name, "limit": limit}
    return None


@transaction.atomic
def nominate(
    nominator: Member, election: Election, nominee: Member, *, statement: str = ""
) -> Candidacy:
    """Any member in good standing nominates anyone, themselves included."""
    if election.kind != Kind.OFFICE:
        raise RuleViolation(_t("This vote has no candidates."))
    if election.status != Status.NOMINATIONS or timezone.now() >= election.nominations_close_at:
        raise RuleViolation(_t("Nominations are not open."))
    if not nominator.in_good_standing or nominator.organisation_id != election.organisation_id:
        raise NotPermitted(_t("Only members in good standing may nominate."))
    if election.faction_id is not None and not in_electorate(nominator, election):
        raise NotPermitted(
            _t("Only members of %(faction)s may nominate for its offices.")
            % {"faction": election.faction.name}
        )
    problem = candidacy_problem(nominee, election)
    if problem:
        raise RuleViolation(problem, "member")
    own = nominator.pk == nominee.pk
    try:
        with transaction.atomic():
            candidacy = Candidacy.objects.create(
                election=election,
                member=nominee,
                nominated_by=nominator,
                statement=statement if own else "",
                accepted_at=timezone.now() if own else None,
            )
    except IntegrityError:
        raise RuleViolation(
            _t("%(name)s is already nominated.") % {"name": nominee.name}, "member"
        ) from None
    record(
        election.organisation,
        "candidacy.nominated",
        actor=nominator,
        target=candidacy,
        data={"election": election.pk, "member": nominee.pk},
    )
    return candidacy


def _own_candidacy(member: Member, candidacy: Candidacy) -> None:
    if candidacy.member_id != member.pk:
        raise NotPermitted(_t("Only the nominee can do this."))
    if candidacy.election.status != Status.NOMINATIONS:
        raise RuleViolation(_t("Nominations are not open."))


@transaction.atomic
def accept_nomination(
    member: Member, candidacy: Candidacy, *, statement: str = "", faction_label: str = ""
) -> Candidacy:
    _own_candidacy(member, candidacy)
    problem = candidacy_problem(member, candidacy.election)
    if problem:
        raise RuleViolation(problem, "member")
    candidacy.accepted_at = candidacy.accepted_at or timezone.now()
    candidacy.withdrawn_at = None
    candidacy.statement, candidacy.faction_label = statement, faction_label
    candidacy.save()
    record(candidacy.election.organisation, "candidacy.accepted", actor=member, target=candidacy)
    return candidacy


@transaction.atomic
def withdraw_candidacy(member: Member, candidacy: Candidacy) -> Candidacy:
    _own_candidacy(member, candidacy)
    candidacy.withdrawn_at = timezone.now()
    candidacy.save(update_fields=["withdrawn_at"])
    record(candidacy.election.organisation, "candidacy.withdrawn", actor=member, target=candidacy)
    return candidacy


@transaction.atomic
def second_nomination(member: Member, candidacy: Candidacy) -> Seconding:
    if candidacy.election.status != Status.NOMINATIONS:
        raise RuleViolation(_t("Nominations are not open."))
    if not in_electorate(member, candidacy.election):
        raise NotPermitted(_t("Only members of this election's electorate may second."))
    if member.pk == candidacy.member_id:
        raise RuleViolation(_t("You cannot second your own nomination."))
    try:
        with transaction.atomic():
            seconding = Seconding.objects.create(candidacy=candidacy, member=member)
    except IntegrityError:
        raise RuleViolation(_t("You have already seconded this nomination.")) from None
    record(
        candidacy.election.organisation,
        "candidacy.seconded",
        target=candidacy,
        data={"seconder": private_ref(member, candidacy)},
    )
    return seconding


def _on_ballot_query(election_id: int, organisation_id: int):
    constitution = ConstitutionVersion.objects.filter(organisation_id=organisation_id)
    needed = Subquery(constitution.order_by("-number").values("seconders_required")[:1])
    standing = Candidacy.objects.filter(
        election_id=election_id, accepted_at__isnull=False, withdrawn_at__isnull=True
    )
    seconded = standing.annotate(seconders=Count("secondings")).filter(seconders__gte=needed)
    return seconded.order_by().values_list("pk")


# Every cast of a ranked ballot runs it: its SQL is built once (half a cast's CPU otherwise).
_ON_BALLOT = Prepared(_on_ballot_query, int, int)


def _on_ballot(election: Election) -> set[int]:
    """The ids of ``_ballot_candidacies``, in one query (a cast checks every ranking)."""
    return {pk for (pk,) in _ON_BALLOT(election.pk, election.organisation_id)}


def _ballot_candidacies(election: Election) -> list[Candidacy]:
    """Who is on the ballot: accepted, not withdrawn, with enough seconders."""
    needed = election.organisation.current_constitution().seconders_required
    candidacies = election.candidacies.select_related("member").prefetch_related("secondings")
    return [
        c
        for c in candidacies.order_by("member__name", "pk")
        if c.standing and len(c.secondings.all()) >= needed
    ]


# --- the secret ballot ---------------------------------------------------------------------


@dataclass
class Receipt:
    tracker: str
    key: str  # the voter's secret to change their vote; "" when changes are not allowed
    replaced: bool = False


def _canonical(choice) -> str:
    return json.dumps(choice, sort_keys=True, separators=(",", ":"))


def _tracker(choice, nonce: str) -> str:
    return hashlib.sha256(f"{_canonical(choice)}|{nonce}".encode()).hexdigest()


def validate_choice(election: Election, choice):
    """Normalise a ballot's content or refuse it with the reason."""
    if election.method == Method.YES_NO:
        if choice not in YES_NO_CHOICES:
            raise RuleViolation(_t("Vote yes, no or abstain."), "choice")
        return choice
    if election.options is not None:
        return _validate_ranking_of_options(election, choice)
    if not isinstance(choice, list | tuple) or not choice:
        raise RuleViolation(_t("Rank at least one candidate."), "choice")
    on_ballot = _on_ballot(election)
    try:
        ranking = [int(c) for c in choice]
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(Infinity)
        raise RuleViolation(_t("A ranking lists candidates."), "choice") from None
    if len(set(ranking)) != len(ranking):
        raise RuleViolation(_t("Each candidate may be ranked only once."), "choice")
    if not set(ranking) <= on_ballot:
        raise RuleViolation(_t("Only candidates on this ballot may be ranked."), "choice")
    return ranking


def _validate_ranking_of_options(election: Election, choice) -> list[int]:
    """A ranking of an election's options (not candidacies): listed ids, each once, one at least."""
    if not isinstance(choice, list | tuple) or not choice:
        raise RuleViolation(_t("Rank at least one option."), "choice")
    try:
        ranking = [int(c) for c in choice]
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(Infinity)
        raise RuleViolation(_t("A ranking lists the options on the ballot."), "choice") from None
    if len(set(ranking)) != len(ranking):
        raise RuleViolation(_t("Each option may be ranked only once."), "choice")
    if not set(ranking) <= set(candidate_names(election)):
        raise RuleViolation(_t("Only the options on this ballot may be ranked."), "choice")
    return ranking


def _key_hash(key: str, member: Member) -> str:
    """What the box stores of a replacement key: useless without the key, and bound to
    the voter, so a key seen over someone's shoulder replaces nothing."""
    return hashlib.sha256(f"{key}|{member.pk}".encode()).hexdigest()


def throttle_vote(member: Member, field: str = "choice") -> None:
    """Refuse a voter's attempt beyond the vote rate limit, saying how long to wait.

    Shared by ballots and the hall's live votes. The count lives in Redis or in
    process memory, never in the box's database (see ``tribune.lib.ratelimit``).
    """
    wait = VOTE_RATE_LIMIT.hit(member.pk)
    if wait:
        message = ngettext(
            "Too many attempts to vote; wait %(n)d second.",
            "Too many attempts to vote; wait %(n)d seconds.",
            wait,
        ) % {"n": wait}
        raise TooManyAttempts(message, wait, field)


def cast_ballot(member: Member, election: Election, choice, *, key: str = "") -> Receipt:
    """Cast (or, with the key from the first receipt, replace) a secret ballot.

    The roll is marked by a conditional UPDATE in the same transaction as the
    ballot is written, so concurrent attempts by one voter count exactly once.
    """
    throttle_vote(member)
    # Read and checked before the transaction, which on SQLite holds the one write
    # lock from its first statement: casts queue only for the writes. Whether
    # voting is still open is checked again, under the election's lock, last.
    election = Election.objects.get(pk=election.pk)
    if election.kind == Kind.ASSEMBLY:
        # Cast in the hall, where weights, proxies and named votes are applied.
        raise RuleViolation(_t("Votes at an assembly are cast on the assembly's page."))
    now = timezone.now()
    if election.status != Status.VOTING or not (
        election.voting_open_at <= now < election.voting_close_at
    ):
        raise RuleViolation(_t("Voting is not open."), "choice")
    choice = validate_choice(election, choice)
    roll = VoterRoll.objects.filter(election=election, member=member)
    not_on_roll = NotPermitted(_t("You are not on the voter roll of this election."))
    with transaction.atomic():
        replaced = False
        if key:
            if not roll.exists():
                raise not_on_roll
            if not election.allow_vote_change:
                raise RuleViolation(_t("This election does not allow changing a vote."), "key")
            old = Ballot.objects.filter(election=election, key_hash=_key_hash(key, member))
            if not roll.filter(voted=True).exists() or old.delete()[0] != 1:
                raise RuleViolation(_t("That ballot key is not valid."), "key")
            replaced = True
        elif roll.filter(voted=False).update(voted=True) != 1:
            # Nothing marked: not on the roll at all, or marked already.
            if not roll.exists():
                raise not_on_roll
            raise RuleViolation(_t("You have already voted in this election."), "choice")
        secret = secrets.token_urlsafe(24) if election.allow_vote_change else ""
        nonce = secrets.token_hex(16)
        tracker = _tracker(choice, nonce)
        Ballot.objects.create(
            election=election,
            choice=choice,
            tracker=tracker,
            key_hash=_key_hash(secret, member) if secret else "",
        )
        lock_open_voting(election.pk, "choice")
    return Receipt(tracker=tracker, key=secret, replaced=replaced)


def lock_open_voting(election_id: int, field: str) -> None:
    """Inside a cast's transaction, as its last step: lock the election row, check it is open.

    Closing (``advance``, an assembly's ``close_vote``) locks the row to count, so a
    ballot is either in the count — the close waited for this commit — or refused
    here, the close having counted first; never written after the tally. Taken
    last, the lock is held only until the commit.
    """
    rows = _LOCKED_STATUS(election_id)
    if not rows or rows[0][0] != Status.VOTING:
        raise RuleViolation(_t("Voting is not open."), field)


# Every cast runs it (its SQL built once; compiled inside the cast's transaction, as
# select_for_update requires).
_LOCKED_STATUS = Prepared(
    lambda election_id: (
        Election.objects.select_for_update(no_key=True).filter(pk=election_id).values_list("status")
    ),
    int,
)


def has_voted(member: Member, election: Election) -> bool:
    return VoterRoll.objects.filter(election=election, member=member, voted=True).exists()


# --- counting and the published ballot box ------------------------------------------------


def candidate_names(election: Election) -> dict[int, str]:
    """Candidacy id → the name printed on the ballot (unique even for namesakes).

    Where an election ranks options that are not candidacies (``Election.options``,
    e.g. an assembly's competing motions), option id → its name, made unique the same way.
    """
    if election.options is not None:
        entries = [(int(pk), str(name)) for pk, name in election.options]
    else:
        entries = [(c.pk, c.member.name) for c in _ballot_candidacies(election)]
    names, seen = {}, {}
    for pk, name in entries:
        seen[name] = seen.get(name, 0) + 1
        names[pk] = name if seen[name] == 1 else f"{name} ({seen[name]})"
    return names


def once_certified(election: Election, what: str, build):
    """``build()``, computed once and kept in the cache when ``election`` is certified.

    A certified box never changes, nor does anything derived from it (the BLT file,
    the proportionality report): at 20,000 ballots rebuilding them cost a third of a
    second per view (issue 12). Before certification they are built on each call.
    The key names the election's seed and creation time too, so a reused id (a
    restored database) can never be served another election's box.
    """
    if election.status != Status.CERTIFIED:
        return build()
    key = (
        f"tribune:certified:{election.pk}:{election.seed}:{election.created_at.timestamp()}:{what}"
    )
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=None)
    return value


def published_box(election: Election) -> list[dict]:
    """The ballot box in a random order fixed by the election's seed, with trackers."""

    def build() -> list[dict]:
        ballots = list(Ballot.objects.filter(election=election).values("tracker", "choice"))
        ballots.sort(key=lambda b: b["tracker"])
        random.Random(election.seed).shuffle(ballots)
        return ballots

    return once_certified(election, "box", build)


def box_profile(election: Election) -> voting.RankedProfile:
    names = candidate_names(election)
    ids = list(names)
    index = {cid: i for i, cid in enumerate(ids)}
    rankings = [tuple(index[c] for c in b["choice"]) for b in published_box(election)]
    return voting.RankedProfile.from_rankings(
        [names[c] for c in ids], rankings, title=election.title
    )


def box_blt(election: Election) -> str:
    return once_certified(
        election, "blt", lambda: voting.write_blt(box_profile(election), election.seats)
    )


def _motion_rule(election: Election) -> voting.MotionRule:
    size = election.electorate_size or 0
    if election.motion_rule:
        rule = election.motion_rule
        return voting.MotionRule(
            threshold=Fraction(rule.get("threshold", "1/2")),
            strict=rule.get("strict", True),
            base=rule.get("base", "yes_no"),
            electorate=size,
            quorum_turnout=rule.get("quorum_turnout"),
            name=rule.get("name", "simple majority"),
        )
    constitution = election.organisation.current_constitution()
    quorum = Fraction(constitution.quorum_percent) / 100
    if election.kind == Kind.AMENDMENT:
        return voting.MotionRule(
            threshold=constitution.amendment_majority,
            strict=False,
            base="yes_no",
            electorate=size,
            quorum_fraction=quorum,
            name=_t("%(m)s majority of yes and no votes") % {"m": constitution.amendment_majority},
        )
    return voting.MotionRule(electorate=size, quorum_fraction=quorum)


def _yes_no_tally(election: Election) -> dict[str, int]:
    """Yes, no and abstain ballots in the box, added up by the database.

    A congress's result is awaited by every screen in the hall: the box's thousands
    of rows need not come to Python (and be shuffled, as the published box is) to be
    added up.
    """
    by_choice = dict(
        Ballot.objects.filter(election=election)
        .order_by()
        .values_list("choice")
        .annotate(n=Count("pk"))
    )
    return {k: by_choice.get(k, 0) for k in YES_NO_CHOICES}


@transaction.atomic
def count(election: Election) -> Election:
    """Count the box as published, record the result, and re-seal box and roll (``sealing``)."""
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status != Status.VOTING_CLOSED:
        raise RuleViolation(_t("Votes are counted only after voting closes."))
    sealing.reseal(election)
    turnout.close(election)
    if election.method == Method.YES_NO:
        tally = _yes_no_tally(election)
        election.turnout = sum(tally.values())
        result = voting.motion(
            tally["yes"], tally["no"], tally["abstain"], rule=_motion_rule(election)
        )
        election.passed = bool(result.carried)
    elif election.options is None and not published_box(election):
        # No one is elected without a vote: the constitution's uncontested returns
        # (``_return_unopposed``) are the only way into office without ballots.
        election.turnout = 0
        result = voting.Result(
            method=election.method,
            seats=election.seats,
            elected=[],
            parameters={"no_ballots": True},
        )
    else:
        election.turnout = len(published_box(election))
        profile = box_profile(election)
        counter = {
            Method.IRV: lambda p: voting.irv(p, seed=election.seed),
            Method.SCOTTISH_STV: lambda p: voting.scottish_stv(
                p, election.seats, seed=election.seed
            ),
            Method.MEEK_STV: lambda p: voting.meek_stv(p, election.seats, seed=election.seed),
            # The full Schulze order; ties between options are broken by the seeded lot.
            Method.SCHULZE: lambda p: voting.schulze(p, seed=election.seed),
        }[election.method]
        result = counter(profile)
        if election.options is None:
            by_name = {name: cid for cid, name in candidate_names(election).items()}
            for rank, name in enumerate(result.elected, start=1):
                Candidacy.objects.filter(pk=by_name[name]).update(elected_rank=rank)
    election.result = result.to_dict()
    if result.parameters.get("no_ballots"):
        election.result["outcome"] = _t("No ballots were cast: no one is elected.")
    election.save(update_fields=["result", "passed", "turnout"])
    _move(election, Status.COUNTED, data={"turnout": election.turnout})
    return election


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


# --- scheduling: no office silently becomes permanent -------------------------------------


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


# --- recall --------------------------------------------------------------------------------


@transaction.atomic
def open_recall_petition(member: Member, term: Term, reason: str) -> RecallPetition:
    """Any member of the office's electorate may open a recall petition, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_t("Give the reason for the recall."), "reason")
    body = term.office.body
    branch = body.branch
    if not in_electorate(member, body):
        raise NotPermitted(_t("Only members of this office's electorate may petition."))
    if not term.is_current():
        raise RuleViolation(_t("This term is not current."))
    if term.recall_petitions.filter(status__in=[PetitionStatus.OPEN, PetitionStatus.VOTE]).exists():
        raise RuleViolation(_t("A recall petition against this term is already open."))
    constitution = term.office.body.organisation.current_constitution()
    size = electorate(body).count()
    threshold = max(1, math.ceil(Fraction(constitution.recall_threshold_percent) / 100 * size))
    petition = RecallPetition.objects.create(
        term=term, opened_by=member, reason=reason, threshold=threshold, electorate_size=size
    )
    record(
        branch.organisation,
        "recall.opened",
        target=petition,
        data={"term": term.pk, "threshold": threshold, "electorate": size},
    )
    sign_recall_petition(member, petition)
    return RecallPetition.objects.get(pk=petition.pk)


@transaction.atomic
def sign_recall_petition(member: Member, petition: RecallPetition) -> RecallSignature:
    petition = RecallPetition.objects.select_for_update().get(pk=petition.pk)
    if petition.status != PetitionStatus.OPEN:
        raise RuleViolation(_t("This petition is no longer collecting signatures."))
    if not in_electorate(member, petition.term.office.body):
        raise NotPermitted(_t("Only members of this office's electorate may sign."))
    try:
        with transaction.atomic():
            signature = RecallSignature.objects.create(petition=petition, member=member)
    except IntegrityError:
        raise RuleViolation(_t("You have already signed this petition.")) from None
    organisation = petition.term.office.body.organisation
    signatures = petition.signatures.count()
    record(
        organisation,
        "recall.signed",
        target=petition,
        data={"signer": private_ref(member, petition), "signatures": signatures},
    )
    if signatures >= petition.threshold:
        _start_recall_vote(petition)
    return signature


@transaction.atomic
def withdraw_signature(member: Member, petition: RecallPetition) -> None:
    petition = RecallPetition.objects.select_for_update().get(pk=petition.pk)
    if petition.status != PetitionStatus.OPEN:
        raise RuleViolation(_t("The threshold is reached: signatures can no longer be withdrawn."))
    if not petition.signatures.filter(member=member).delete()[0]:
        raise RuleViolation(_t("You have not signed this petition."))
    record(
        petition.term.office.body.organisation,
        "recall.unsigned",
        target=petition,
        data={"signer": private_ref(member, petition), "signatures": petition.signatures.count()},
    )


def _start_recall_vote(petition: RecallPetition) -> None:
    term = petition.term
    organisation = term.office.body.organisation
    constitution = organisation.current_constitution()
    now = timezone.now()
    election = Election.objects.create(
        organisation=organisation,
        kind=Kind.RECALL,
        title=_t("Recall of %(name)s as %(office)s")
        % {"name": term.member.name, "office": term.office.title},
        question=petition.reason,
        office=term.office,
        method=Method.YES_NO,
        electorate=term.office.body.branch,
        faction=term.office.body.faction,
        voting_open_at=now,
        voting_close_at=now + timedelta(days=constitution.recall_vote_days),
        seed=secrets.randbits(62),
    )
    petition.status, petition.election = PetitionStatus.VOTE, election
    petition.save(update_fields=["status", "election"])
    record(
        organisation, "recall.threshold_reached", target=petition, data={"election": election.pk}
    )
    _open_voting(election)


def _conclude_recall(election: Election) -> None:
    petition = election.recall_petition
    term = petition.term
    if election.passed:
        term.ended_at, term.end_reason = timezone.now(), _t("recalled by the membership")
        term.save(update_fields=["ended_at", "end_reason"])
        petition.status = PetitionStatus.PASSED
        record(election.organisation, "term.recalled", target=term, data={"election": election.pk})
        if not _pending(term.office):
            call_election(
                None,
                office=term.office,
                title=_t("By-election: %(office)s") % {"office": term.office.title},
            )
    else:
        petition.status = PetitionStatus.FAILED
    petition.save(update_fields=["status"])


def lapse_petitions(now=None) -> int:
    """Petitions still collecting signatures against a term that has ended lapse (each alone)."""
    now = now or timezone.now()

    def lapse(petition: RecallPetition) -> bool:
        if petition.term.is_current(now):
            return False
        petition.status = PetitionStatus.LAPSED
        petition.save(update_fields=["status"])
        record(petition.term.office.body.organisation, "recall.lapsed", target=petition)
        return True

    petitions = RecallPetition.objects.filter(status=PetitionStatus.OPEN).select_related(
        "term__office__body__organisation"
    )
    return sum(each_alone(list(petitions), lapse, what="recall petition"))


@transaction.atomic
def reply_to_recall(member: Member, petition: RecallPetition, text: str) -> RecallPetition:
    if petition.term.member_id != member.pk:
        raise NotPermitted(_t("Only the office-holder can reply to this petition."))
    petition.holder_reply = (text or "").strip()
    petition.save(update_fields=["holder_reply"])
    record(petition.term.office.body.organisation, "recall.replied", actor=member, target=petition)
    return petition


# --- mandate reports -------------------------------------------------------------------------


@transaction.atomic
def publish_report(member: Member, term: Term, *, title: str, done: str, not_done: str = ""):
    if term.member_id != member.pk:
        raise NotPermitted(_t("Only the office-holder reports against their mandate."))
    if not title.strip() or not done.strip():
        raise RuleViolation(_t("Say what was done."), "done")
    report = MandateReport.objects.create(term=term, title=title, done=done, not_done=not_done)
    record(
        term.office.body.organisation, "report.published", actor=member, term=term, target=report
    )
    return report


@transaction.atomic
def comment_on_report(member: Member, report: MandateReport, text: str) -> ReportComment:
    organisation = report.term.office.body.organisation
    if not member.in_good_standing or member.organisation_id != organisation.pk:
        raise NotPermitted(_t("Only members in good standing may comment."))
    if not (text or "").strip():
        raise RuleViolation(_t("Write a comment."), "text")
    comment = ReportComment.objects.create(report=report, member=member, text=text)
    record(organisation, "report.commented", actor=member, target=report)
    return comment
