"""Calling elections: to office, referendums, amendments, a faction's dissolution and a
congress's elections, each checked at the door so the clock never trips over it later.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.constitution import services as constitution_services
from tribune.elections.models import Election, Kind, Method
from tribune.lib.errors import RuleViolation
from tribune.lib.inputs import MAX_SEATS, check_moment, check_whole_number
from tribune.members.models import Member
from tribune.offices.models import Office
from tribune.offices.rules import mandate_for
from tribune.offices.services import single_use_office

BACKDATING = timedelta(minutes=5)  # clock skew tolerated when a start time is given


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
    # Imported here: the clock's steps lead back to calling (a recall's by-election).
    from tribune.elections.services.lifecycle import advance

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
