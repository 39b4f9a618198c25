"""Competing motions on one item, ordered by a ranking vote (Schulze) and then put in turn."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tribune.assemblies import services
from tribune.assemblies.minutes import write as write_minutes
from tribune.assemblies.models import Assembly, Motion
from tribune.assemblies.tests.sitting import in_session
from tribune.audit.models import AuditEntry
from tribune.elections.models import Ballot, Method, VoterRoll
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office


@pytest.fixture
def congress(world):
    body = create_body(world.org, name="Conference committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body, title="Convenor", mandate="Convene the congress.", powers=["convene_assemblies"]
    )
    begin_term(office, world.ana, source=TermSource.ELECTION)
    now = timezone.now()
    return services.convene(
        world.ana,
        world.root,
        title="First congress",
        kind=Assembly.Kind.GENERAL,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        motions_deadline=now - timedelta(days=2),
        chair=world.eli,
        proxies_allowed=True,
    )


@pytest.fixture
def item(world, congress):
    return services.add_agenda_item(world.eli, congress, title="Rent strike")


def _table(world, assembly, title, item=None, who=None):
    with mock.patch(
        "django.utils.timezone.now", return_value=assembly.motions_deadline - timedelta(days=1)
    ):
        return services.table_motion(
            who or world.ben, assembly, title=title, text=f"{title}.", agenda_item=item
        )


@pytest.fixture
def motions(world, congress, item):
    """Three competing motions on the rent strike: A, B and C."""
    return [_table(world, congress, title, item) for title in ("Strike now", "Ballot", "Wait")]


def _seat(world, congress):
    services.seat_participants(world.eli, congress)
    in_session(world.eli, congress)
    return {p.member: p for p in congress.participants.all()}


def test_a_ranking_needs_two_competing_motions_and_the_chair(world, congress, item):
    _seat(world, congress)
    only = _table(world, congress, "Strike now", item)
    _table(world, congress, "Elsewhere")  # on no item: it does not compete
    with pytest.raises(RuleViolation, match="at least two tabled motions") as refused:
        services.open_ranking_vote(world.eli, item)
    assert refused.value.field == "item"
    rival = _table(world, congress, "Ballot", item)
    with pytest.raises(NotPermitted, match="chair"):
        services.open_ranking_vote(world.ben, item)
    vote = services.open_ranking_vote(world.eli, item)
    assert vote.is_ranking and vote.election.method == Method.SCHULZE
    assert vote.election.options == [[only.pk, "Strike now"], [rival.pk, "Ballot"]]
    assert AuditEntry.objects.filter(action="assembly.ranking_opened").count() == 1
    with pytest.raises(RuleViolation, match="Not while a vote is open"):
        services.open_vote(world.eli, congress, motion=only)
    with pytest.raises(RuleViolation, match="Not while a vote is open"):
        services.open_ranking_vote(world.eli, item)
    with pytest.raises(NotPermitted, match="chair"):
        services.close_vote(world.ben, vote)
    services.cast_ranking(world.ben, vote, [rival.pk])
    services.close_vote(world.eli, vote)  # the chair's usual close button closes it too
    vote.refresh_from_db()
    assert vote.order == [rival.pk, only.pk]
    with pytest.raises(RuleViolation, match="already ordered"):
        services.open_ranking_vote(world.eli, item)


def test_a_ranking_lists_only_the_competing_motions_each_once(world, congress, item, motions):
    a, b, _c = motions
    stranger = _table(world, congress, "Elsewhere")
    _seat(world, congress)
    vote = services.open_ranking_vote(world.eli, item)
    for ranking, reason in [
        ([], "Rank at least one"),
        ([a.pk, stranger.pk], "Only the motions competing"),
        ([a.pk, b.pk, a.pk], "only once"),
        (["x"], "by their number"),
    ]:
        with pytest.raises(RuleViolation, match=reason) as refused:
            services.cast_ranking(world.ben, vote, ranking)
        assert refused.value.field == "ranking"
    with pytest.raises(RuleViolation, match="ranks the competing motions"):
        services.cast_live_vote(world.ben, vote, "yes")  # no yes/no in a Schulze box
    assert not Ballot.objects.filter(election=vote.election).exists()
    assert services.cast_ranking(world.ben, vote, [b.pk, a.pk]) == 1
    with pytest.raises(RuleViolation, match="already voted"):
        services.cast_ranking(world.ben, vote, [a.pk])
    services.close_vote(world.eli, vote)
    yes_no = services.open_vote(world.eli, congress, motion=stranger)
    with pytest.raises(RuleViolation, match="not a ranking"):
        services.cast_ranking(world.ben, yes_no, [a.pk])


def test_schulze_orders_a_cycle_with_weights_proxies_and_a_partial_ranking(
    world, congress, item, motions
):
    """Hand count. Ballots (10): A>B>C ×4 (Ben, weight 4); B>C>A ×3 (Cam, weight 2, and
    Ana's proxy); C>A>B ×2 (Dana, weight 2); B alone ×1 (Eli).

    Pairwise: A>B 6:4, B>C 8:2, C>A 5:4 — a Condorcet cycle. Strongest paths:
    A→B 6, A→C min(6, 8) = 6, B→C 8, B→A min(8, 5) = 5, C→A 5, C→B min(5, 6) = 5.
    A beats B (6 > 5) and C (6 > 5); B beats C (8 > 5): the order is A, B, C — though
    A and B have as many first preferences (4 each).
    """
    a, b, c = motions
    seats = _seat(world, congress)
    for member, weight in ((world.ben, 4), (world.cam, 2), (world.dana, 2)):
        seats[member].weight = weight
        seats[member].save()
    services.give_proxy(seats[world.ana], seats[world.cam])
    vote = services.open_ranking_vote(world.eli, item)
    assert services.cast_ranking(world.ben, vote, [a.pk, b.pk, c.pk]) == 4
    assert services.cast_ranking(world.cam, vote, [b.pk, c.pk, a.pk]) == 3  # own 2 + Ana's 1
    with pytest.raises(RuleViolation, match="gave your vote by proxy"):
        services.cast_ranking(world.ana, vote, [a.pk])
    assert services.cast_ranking(world.dana, vote, [c.pk, a.pk, b.pk]) == 2
    assert services.cast_ranking(world.eli, vote, [b.pk]) == 1
    services.close_ranking_vote(world.eli, vote)
    vote.refresh_from_db()
    assert vote.order == [a.pk, b.pk, c.pk]
    marked = VoterRoll.objects.filter(election=vote.election, voted=True)
    assert sum(e.weight for e in marked) == 10 == vote.election.turnout
    assert Ballot.objects.filter(election=vote.election).count() == 10
    result = services.ranking_result(vote)
    assert result["ballots"] == 10
    assert [m["title"] for m in result["order"]] == ["Strike now", "Ballot", "Wait"]
    A, B, C = str(a.pk), str(b.pk), str(c.pk)  # noqa: N806
    assert result["pairwise"][A] == {B: 6, C: 4}
    assert result["pairwise"][B] == {A: 4, C: 8}
    assert result["pairwise"][C] == {A: 5, B: 2}
    assert result["strongest_paths"][B][A] == 5 and result["strongest_paths"][A][C] == 6
    named = {n.participant.member: (n.choice, n.ranking, n.ballots) for n in vote.named.all()}
    assert named[world.ana] == ("ranking", [b.pk, c.pk, a.pk], 1)  # named: the proxy on record
    minutes = write_minutes(congress)
    assert "1. Strike now, 2. Ballot, 3. Wait" in minutes
    assert minutes.index("Motion: Strike now") < minutes.index("Motion: Ballot")


def test_secret_rankings_keep_no_names(world, congress, item, motions):
    congress.secret_votes = True
    congress.save()
    _seat(world, congress)
    vote = services.open_ranking_vote(world.eli, item)
    services.cast_ranking(world.ben, vote, [motions[0].pk])
    assert not vote.named.exists()
    assert Ballot.objects.get(election=vote.election).choice == [motions[0].pk]


def test_motions_are_put_in_the_order_and_the_others_fall_once_one_is_carried(
    world, congress, item, motions
):
    a, b, c = motions
    elsewhere = _table(world, congress, "Elsewhere")
    _seat(world, congress)
    vote = services.open_ranking_vote(world.eli, item)
    for member in (world.ben, world.cam, world.ana):
        services.cast_ranking(member, vote, [b.pk, a.pk, c.pk])
    services.close_vote(world.eli, vote)
    vote.refresh_from_db()
    assert vote.order == [b.pk, a.pk, c.pk]
    with pytest.raises(RuleViolation, match="put “Ballot” first") as refused:
        services.open_vote(world.eli, congress, motion=a)
    assert refused.value.field == "motion_id"
    first = services.open_vote(world.eli, congress, motion=b)
    for member in (world.ben, world.cam):
        services.cast_live_vote(member, first, "no")
    services.close_vote(world.eli, first)
    second = services.open_vote(world.eli, congress, motion=a)  # B was rejected: A's turn
    for member in (world.ben, world.cam):
        services.cast_live_vote(member, second, "yes")
    services.close_vote(world.eli, second)
    statuses = {m.title: m.status for m in Motion.objects.filter(assembly=congress)}
    assert statuses == {
        "Ballot": Motion.Status.REJECTED,
        "Strike now": Motion.Status.ADOPTED,
        "Wait": Motion.Status.FALLEN,
        "Elsewhere": Motion.Status.TABLED,  # not in the ranking: untouched
    }
    assert AuditEntry.objects.filter(action="motion.fallen", target=f"motion:{c.pk}").exists()
    c.refresh_from_db()
    with pytest.raises(RuleViolation, match="Only a tabled motion"):
        services.open_vote(world.eli, congress, motion=c)
    # A motion outside any ranking is carried without anything falling.
    third = services.open_vote(world.eli, congress, motion=elsewhere)
    services.cast_live_vote(world.ben, third, "yes")
    services.close_vote(world.eli, third)
    assert "Fallen" in write_minutes(congress)


def test_carried_motions_without_a_ranking_make_nothing_fall(world, congress, item, motions):
    a, b, _c = motions
    _seat(world, congress)
    vote = services.open_vote(world.eli, congress, motion=a)
    services.cast_live_vote(world.ben, vote, "yes")
    services.close_vote(world.eli, vote)
    b.refresh_from_db()
    assert b.status == Motion.Status.TABLED


def test_a_ranking_below_quorum_orders_nothing_and_ties_go_to_the_seeded_lot(
    world, congress, item, motions
):
    _seat(world, congress)
    vote = services.open_ranking_vote(world.eli, item)
    services.close_ranking_vote(world.eli, vote)  # an empty box: not quorate
    vote.refresh_from_db()
    assert vote.quorate is False and vote.order is None
    assert services.ranking_of(item) is None  # the item may be ranked again
    assert "Not quorate" in write_minutes(congress)
    vote = services.open_ranking_vote(world.eli, item)
    a, b, c = motions
    services.cast_ranking(world.ben, vote, [a.pk])  # one ballot meets the quorum of 1 in 5
    services.close_ranking_vote(world.eli, vote)
    vote.refresh_from_db()
    assert vote.quorate is True and vote.order[0] == a.pk
    assert sorted(vote.order) == sorted(m.pk for m in motions)
    assert vote.election.result["ties"] and vote.election.result["seed"] == vote.election.seed


def test_rankings_are_cast_in_the_hall_and_the_box_recounts(world, congress, item, motions):
    from tribune.elections import services as elections
    from tribune.voting import schulze

    a, b, c = motions
    _seat(world, congress)
    vote = services.open_ranking_vote(world.eli, item)
    # The election page's ballot would skip weights, proxies and named votes.
    with pytest.raises(RuleViolation, match="cast on the assembly's page"):
        elections.cast_ballot(world.ben, vote.election, [a.pk])
    with pytest.raises(RuleViolation, match="only once"):
        elections.validate_choice(vote.election, [a.pk, a.pk])
    assert elections.validate_choice(vote.election, [str(c.pk)]) == [c.pk]
    services.cast_ranking(world.ben, vote, [c.pk, a.pk])
    services.cast_ranking(world.cam, vote, [c.pk])
    services.close_vote(world.eli, vote)
    vote.refresh_from_db()
    assert vote.order[0] == c.pk
    blt = elections.box_blt(vote.election)
    assert '"Strike now"' in blt and '"Wait"' in blt
    recount = schulze(elections.box_profile(vote.election), seed=vote.election.seed)
    assert recount.ranking == vote.election.result["ranking"]
