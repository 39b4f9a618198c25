"""Live yes/no votes: opened by the chair, cast in the hall, closed, and carried out.

Carrying out a result merges an amendment, versions the programme or amends the
constitution; a ranking vote is closed by ``ranking``.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.assemblies import sessions, textmerge
from tribune.assemblies.models import Amendment, Assembly, LiveVote, Motion, MotionVersion
from tribune.assemblies.services.ballots import _prepare_hall_cast
from tribune.assemblies.services.common import _event, channel
from tribune.assemblies.services.convening import _no_open_vote, chair_term
from tribune.assemblies.services.motions import _change, consolidated_text
from tribune.assemblies.services.programme import amend_programme
from tribune.assemblies.services.ranking import (
    _check_ranked_turn,
    _competitors_fall,
    close_ranking_vote,
)
from tribune.audit.log import record
from tribune.constitution import services as constitution_services
from tribune.elections import services as elections
from tribune.elections.models import YES_NO_CHOICES, Election, Kind, Method, Status, VoterRoll
from tribune.lib import events
from tribune.lib.errors import RuleViolation
from tribune.members.models import Member


@transaction.atomic
def open_vote(
    actor: Member,
    assembly: Assembly,
    *,
    motion: Motion | None = None,
    amendment: Amendment | None = None,
) -> LiveVote:
    """The chair puts one motion or one amendment to the vote.

    Only in session, within the assembly's dates and with the quorum present
    (``sessions.require_quorate_session``); the majority is the rules', never the
    chair's choice (``sessions.majority_rule``), and the quorum of votes to be cast
    goes with it, so a vote that does not reach it is counted "not quorate".
    """
    term = chair_term(actor, assembly)
    if (motion is None) == (amendment is None):
        raise RuleViolation(_t("Put one motion or one amendment to the vote."))
    _no_open_vote(assembly)
    subject = amendment or motion
    if subject.status != "tabled":
        raise RuleViolation(_t("Only a tabled motion or amendment can be put to the vote."))
    if motion is not None:
        _check_ranked_turn(motion)
    if amendment is not None:
        adopted = amendment.motion.amendments.filter(status=Amendment.Status.ADOPTED)
        try:
            textmerge.rebase(_change(amendment), [_change(a) for a in adopted])
        except textmerge.AmendmentConflict as clash:
            raise RuleViolation(str(clash)) from None
    participants = list(assembly.participants.filter(voting=True))
    if not participants:
        raise RuleViolation(_t("No one is seated to vote."))
    session, present = sessions.require_quorate_session(assembly)
    rule = sessions.majority_rule(assembly, motion or amendment.motion)
    now = timezone.now()
    election = Election.objects.create(
        organisation=assembly.organisation,
        kind=Kind.ASSEMBLY,
        title=str(subject),
        question=str(subject),
        method=Method.YES_NO,
        electorate=assembly.branch,
        status=Status.VOTING,
        voting_open_at=now,
        voting_close_at=now + timedelta(days=1),
        allow_vote_change=False,
        seed=secrets.randbits(62),
        motion_rule={
            **rule,
            "quorum_turnout": present.quorum,
            "quorum_percent": sessions.percent_text(present.percent),
            "present": present.present,
        },
    )
    VoterRoll.objects.bulk_create(
        [VoterRoll(election=election, member_id=p.member_id, weight=p.weight) for p in participants]
    )
    election.electorate_size = sum(p.weight for p in participants)
    election.save(update_fields=["electorate_size"])
    vote = LiveVote.objects.create(
        assembly=assembly,
        election=election,
        motion=motion,
        amendment=amendment,
        session=session,
        entitled=election.electorate_size,
        present=present.present,
        quorum=present.quorum,
    )
    record(
        assembly.organisation,
        "assembly.vote_opened",
        actor=actor,
        term=term,
        target=vote,
        data={"subject": str(subject), "rule": rule["name"], **present.as_dict()},
    )
    _event(
        assembly,
        "vote_opened",
        vote=vote.pk,
        subject=str(subject),
        secret=assembly.secret_votes,
        rule=rule["name"],
        quorum=present.quorum,
    )
    return vote


def cast_live_vote(member: Member, vote: LiveVote, choice: str) -> int:
    """Vote yes, no or abstain, for oneself and every proxy one holds; returns the ballots cast."""
    return prepare_live_vote(member, vote, choice)()


def prepare_live_vote(member: Member, vote: LiveVote, choice: str) -> Callable[..., int]:
    """``cast_live_vote`` in two steps: its checks and reads now; its writes, returned, to call.

    The lean cast path (``tribune.api.castpath``) reads in the request's thread and
    runs the writes in a group commit, whose one thread then only writes. Called
    with ``savepoint=False`` inside a transaction undone whole when they fail, the
    writes open no savepoint of their own (two round trips fewer on PostgreSQL).
    """
    if vote.is_ranking:
        raise RuleViolation(
            _t("This vote ranks the competing motions: send a ranking, not yes or no."), "choice"
        )
    if choice not in YES_NO_CHOICES:
        raise RuleViolation(_t("Vote yes, no or abstain."), "choice")
    return _prepare_hall_cast(member, vote, choice, field="choice")


@transaction.atomic
def close_vote(actor: Member, vote: LiveVote) -> LiveVote:
    """Close, count at once, and carry out the result (amendment merged, programme versioned).

    A ranking vote is closed by ``close_ranking_vote``, which this hands it to.
    """
    if vote.is_ranking:
        return close_ranking_vote(actor, vote)
    term = chair_term(actor, vote.assembly)
    election = Election.objects.select_for_update().get(pk=vote.election_id)
    if election.status != Status.VOTING:
        raise RuleViolation(_t("This vote is not open."))
    # The result goes out as soon as the close commits, before the count's after-commit
    # resealing of the roll (``sealing.after_close``).
    announce = events.publish_ahead(channel(vote.assembly))
    now = timezone.now()
    election.voting_close_at = max(now, election.voting_open_at + timedelta(microseconds=1))
    election.save(update_fields=["voting_close_at"])
    election = elections.advance(election, election.voting_close_at)
    vote.election = election
    vote.quorate = bool((election.result or {}).get("quorum_met", True))
    vote.save(update_fields=["quorate"])
    _carry_out(vote, election)
    tally = {
        **vote_counts(election),
        "carried": bool(election.passed),
        "quorate": vote.quorate,
        "outcome": sessions.outcome(vote),
        "rule": (election.motion_rule or {}).get("name", ""),
        "quorum": vote.quorum,
    }
    record(
        vote.assembly.organisation,
        "assembly.vote_closed",
        actor=actor,
        term=term,
        target=vote,
        data=tally,
    )
    announce("vote_closed", {"vote": vote.pk, "result": tally, "subject": election.title})
    return vote


def vote_counts(election: Election) -> dict[str, int]:
    """Yes, no and abstain ballots of a counted yes/no vote."""
    stages = (election.result or {}).get("stages") or [{}]
    votes = stages[0].get("votes", {})
    return {k: int(votes.get(k, 0)) for k in YES_NO_CHOICES}


def _carry_out(vote: LiveVote, election: Election) -> None:
    """Record what the hall decided; a vote that was not quorate decided nothing."""
    if vote.quorate is False:
        return
    carried = bool(election.passed)
    if vote.amendment is not None:
        amendment = vote.amendment
        amendment.status = Amendment.Status.ADOPTED if carried else Amendment.Status.REJECTED
        amendment.save(update_fields=["status"])
        if carried:
            motion = amendment.motion
            number = motion.versions.count() + 1
            MotionVersion.objects.create(
                motion=motion,
                number=number,
                text=consolidated_text(motion),
                note=_t("Amendment %(label)s adopted") % {"label": amendment.label},
            )
            for other in motion.amendments.filter(status=Amendment.Status.TABLED):
                if textmerge.conflicts([_change(other), _change(amendment)]):
                    other.status = Amendment.Status.FALLEN
                    other.save(update_fields=["status"])
    else:
        motion = vote.motion
        motion.status = Motion.Status.ADOPTED if carried else Motion.Status.REJECTED
        motion.save(update_fields=["status"])
        if carried:
            _competitors_fall(motion)
        if carried and motion.programme_section:
            amend_programme(motion, election)
        if carried and motion.constitution_change:
            _amend_constitution(motion)


def _amend_constitution(motion: Motion) -> None:
    """A carried amending motion brings the new constitution version into force.

    Checked again against the constitution as it now stands: if another change
    since tabling makes it break a guarantee, the motion stays carried but the
    change is not made, and the record says why.
    """
    organisation = motion.assembly.organisation
    try:
        with transaction.atomic():
            constitution_services.adopt(
                organisation,
                motion.constitution_change,
                how=_t("Adopted by %(assembly)s: %(title)s")
                % {"assembly": motion.assembly.title, "title": motion.title},
                data={"motion": motion.pk},
            )
    except RuleViolation as exc:
        record(
            organisation,
            "constitution.not_adopted",
            target=motion,
            data={"reason": exc.message},
        )
