"""Ranking competing motions: the Schulze order in which they are put to the vote."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.assemblies import sessions
from tribune.assemblies.models import AgendaItem, Assembly, LiveVote, Motion
from tribune.assemblies.services.ballots import _cast_in_hall
from tribune.assemblies.services.common import _event, channel
from tribune.assemblies.services.convening import _no_open_vote, chair_term
from tribune.audit.log import record
from tribune.elections import services as elections
from tribune.elections.models import Election, Kind, Method, Status, VoterRoll
from tribune.lib import events
from tribune.lib.errors import RuleViolation
from tribune.members.models import Member

# Standing orders, as organisers know them: when two or more motions on one item compete
# (they say different things about the same question), the hall first ranks them, and the
# Schulze order of that ranking is the order in which they are then put to the usual yes/no
# vote, first-ranked first. A motion is put only when every motion before it in the order
# has been rejected or withdrawn; once one of them is carried, the others still tabled
# fall: the hall has decided the question. Motions the ranking did not order (tabled
# later, or on other items) are voted on as before.


def competing_motions(item: AgendaItem) -> list[Motion]:
    """The motions still tabled on an agenda item, in the order they were tabled."""
    return list(item.motions.filter(status=Motion.Status.TABLED).order_by("tabled_at", "pk"))


def ranking_of(item: AgendaItem | None) -> LiveVote | None:
    """The counted ranking vote on an item, whose order decides the order of voting; or None."""
    if item is None:
        return None
    return (
        item.ranking_votes.filter(order__isnull=False)
        .select_related("election")
        .order_by("-opened_at", "-pk")
        .first()
    )


def in_ranked_order(motions, order: list[int]) -> list[Motion]:
    """The motions with those in ``order`` first, in that order; the others after, as given."""
    place = {pk: n for n, pk in enumerate(order)}
    return sorted(motions, key=lambda m: place.get(m.pk, len(place)))


def _check_ranked_turn(motion: Motion) -> None:
    """A motion in a ranking's order is put only when those before it are no longer tabled."""
    ranking = ranking_of(motion.agenda_item) if motion.agenda_item_id else None
    if ranking is None or motion.pk not in ranking.order:
        return
    before = ranking.order[: ranking.order.index(motion.pk)]
    first = (
        Motion.objects.filter(pk__in=before, status=Motion.Status.TABLED)
        .order_by()
        .values_list("pk", "title")
    )
    waiting = sorted(first, key=lambda row: before.index(row[0]))
    if waiting:
        raise RuleViolation(
            _t("The ranking vote put “%(title)s” first: it is voted on before this motion.")
            % {"title": waiting[0][1]},
            "motion_id",
        )


def _competitors_fall(motion: Motion) -> None:
    """A carried motion that was ranked against others: those still tabled fall."""
    ranking = ranking_of(motion.agenda_item) if motion.agenda_item_id else None
    if ranking is None or motion.pk not in ranking.order:
        return
    others = Motion.objects.filter(pk__in=ranking.order, status=Motion.Status.TABLED).exclude(
        pk=motion.pk
    )
    for other in others:
        other.status = Motion.Status.FALLEN
        other.save(update_fields=["status"])
        record(
            motion.assembly.organisation,
            "motion.fallen",
            target=other,
            data={"carried": motion.pk, "ranking": ranking.pk},
        )


def _motion_refs(pks: list[int], titles: dict[int, str]) -> list[dict]:
    return [{"id": pk, "title": titles.get(pk, "")} for pk in pks]


@transaction.atomic
def open_ranking_vote(actor: Member, item: AgendaItem) -> LiveVote:
    """The chair asks the hall to rank the motions competing on an agenda item.

    Needs the chair's mandate, at least two tabled motions on the item, no other vote
    open and no earlier ranking of the item. The ranking is an election of kind
    ``assembly`` counted by Schulze (ties broken by the election's seeded lot): secret
    ballots in the box, the roll from the seated participants with their weights,
    exactly like a yes/no vote.
    """
    assembly = item.assembly
    term = chair_term(actor, assembly)
    if assembly.status == Assembly.Status.CLOSED:
        raise RuleViolation(_t("This assembly is closed."))
    _no_open_vote(assembly)
    if ranking_of(item) is not None:
        raise RuleViolation(
            _t("The competing motions on this item are already ordered by a ranking vote."),
            "item",
        )
    motions = competing_motions(item)
    if len(motions) < 2:
        raise RuleViolation(
            _t("A ranking vote needs at least two tabled motions competing on this item."),
            "item",
        )
    participants = list(assembly.participants.filter(voting=True))
    if not participants:
        raise RuleViolation(_t("No one is seated to vote."))
    session, present = sessions.require_quorate_session(assembly)
    now = timezone.now()
    title = _t("Order of the motions on “%(item)s”") % {"item": item.title}
    election = Election.objects.create(
        organisation=assembly.organisation,
        kind=Kind.ASSEMBLY,
        title=title[:300],
        question=_t("Rank the competing motions: the first in the order is voted on first."),
        method=Method.SCHULZE,
        electorate=assembly.branch,
        status=Status.VOTING,
        voting_open_at=now,
        voting_close_at=now + timedelta(days=1),
        allow_vote_change=False,
        seed=secrets.randbits(62),
        options=[[m.pk, m.title] for m in motions],
    )
    VoterRoll.objects.bulk_create(
        [VoterRoll(election=election, member_id=p.member_id, weight=p.weight) for p in participants]
    )
    election.electorate_size = sum(p.weight for p in participants)
    election.save(update_fields=["electorate_size"])
    vote = LiveVote.objects.create(
        assembly=assembly,
        election=election,
        item=item,
        session=session,
        entitled=election.electorate_size,
        present=present.present,
        quorum=present.quorum,
    )
    record(
        assembly.organisation,
        "assembly.ranking_opened",
        actor=actor,
        term=term,
        target=vote,
        data={"item": item.pk, "motions": [m.pk for m in motions]},
    )
    _event(
        assembly,
        "vote_opened",
        vote=vote.pk,
        subject=election.title,
        secret=assembly.secret_votes,
        ranking=True,
        item=item.pk,
        motions=[{"id": m.pk, "title": m.title} for m in motions],
    )
    return vote


def _check_ranking(vote: LiveVote, ranking) -> list[int]:
    if not isinstance(ranking, list | tuple) or not ranking:
        raise RuleViolation(_t("Rank at least one of the competing motions."), "ranking")
    try:
        ranking = [int(pk) for pk in ranking]
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(Infinity)
        raise RuleViolation(_t("A ranking lists motions by their number."), "ranking") from None
    if len(set(ranking)) != len(ranking):
        raise RuleViolation(_t("Each motion may be ranked only once."), "ranking")
    competing = {int(pk) for pk, _title in vote.election.options}
    if not set(ranking) <= competing:
        raise RuleViolation(_t("Only the motions competing on this item may be ranked."), "ranking")
    return ranking


def cast_ranking(member: Member, vote: LiveVote, ranking) -> int:
    """Rank the competing motions, for oneself and every proxy one holds; returns the ballots.

    A full or partial ranking (motion ids, first preference first); a motion left
    out is ranked below every listed one. Weights, proxies, secrecy and named
    votes as for a yes/no vote (``_cast_in_hall``).
    """
    if not vote.is_ranking:
        raise RuleViolation(_t("This vote is yes or no, not a ranking."), "ranking")
    ranking = _check_ranking(vote, ranking)
    return _cast_in_hall(member, vote, ranking, field="ranking")


def ranking_result(vote: LiveVote) -> dict | None:
    """A counted ranking: the order (id and title), ballots, and the Schulze details by id."""
    election = vote.election
    if vote.order is None or not election.result:
        return None
    titles = {int(pk): title for pk, title in election.options}
    by_name = {name: pk for pk, name in elections.candidate_names(election).items()}
    params = election.result.get("parameters") or {}

    def by_id(table: dict) -> dict:
        return {
            str(by_name[a]): {str(by_name[b]): n for b, n in row.items()}
            for a, row in table.items()
        }

    return {
        "order": _motion_refs(vote.order, titles),
        "ballots": election.turnout or 0,
        "method": "schulze",
        "pairwise": by_id(params.get("pairwise", {})),
        "strongest_paths": by_id(params.get("strongest_paths", {})),
        "ties": election.result.get("ties", []),
    }


@transaction.atomic
def close_ranking_vote(actor: Member, vote: LiveVote) -> LiveVote:
    """The chair closes a ranking vote: counted at once by Schulze; the order is recorded.

    The order is published with the pairwise counts and strongest paths; the chair then
    puts the motions to yes/no votes in that order (``open_vote`` refuses any other).
    """
    term = chair_term(actor, vote.assembly)
    if not vote.is_ranking:
        raise RuleViolation(_t("This vote is yes or no, not a ranking."))
    election = Election.objects.select_for_update().get(pk=vote.election_id)
    if election.status != Status.VOTING:
        raise RuleViolation(_t("This vote is not open."))
    announce = events.publish_ahead(channel(vote.assembly))  # as in close_vote
    now = timezone.now()
    election.voting_close_at = max(now, election.voting_open_at + timedelta(microseconds=1))
    election.save(update_fields=["voting_close_at"])
    election = elections.advance(election, election.voting_close_at)
    vote.election = election
    vote.quorate = (election.turnout or 0) >= (vote.quorum or 0)
    if not vote.quorate:  # decides nothing: the item may be ranked again
        vote.save(update_fields=["quorate"])
        tally = {"ranking": True, "outcome": "not quorate", "quorate": False, "quorum": vote.quorum}
        tally["ballots"] = election.turnout or 0
        record(
            vote.assembly.organisation,
            "assembly.ranking_closed",
            actor=actor,
            term=term,
            target=vote,
            data=tally,
        )
        announce("vote_closed", {"vote": vote.pk, "subject": election.title, "result": tally})
        return vote
    by_name = {name: pk for pk, name in elections.candidate_names(election).items()}
    vote.order = [by_name[name] for name in election.result["ranking"]]
    vote.save(update_fields=["order", "quorate"])
    result = ranking_result(vote)
    record(
        vote.assembly.organisation,
        "assembly.ranking_closed",
        actor=actor,
        term=term,
        target=vote,
        data={"order": vote.order, "ballots": result["ballots"]},
    )
    announce(
        "vote_closed",
        {
            "vote": vote.pk,
            "subject": election.title,
            "result": {
                "ranking": True,
                "outcome": "ordered",
                "quorate": True,
                "order": result["order"],
                "ballots": result["ballots"],
            },
        },
    )
    return vote
