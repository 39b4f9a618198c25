"""The demo's elections: the first executive committee by STV, with an election for
each single office beside it; today, an election open for voting and a recall petition.
"""

import random
from datetime import timedelta

from django.utils import timezone

from tribune.members.models import Member, Standing
from tribune.organisations.demo.clock import Clock
from tribune.organisations.models import Organisation


def _office(organisation: Organisation, title: str):
    from tribune.offices.models import Office

    return Office.objects.get(body__organisation=organisation, body__in_structure=True, title=title)


def _stand(election, member: Member) -> None:
    """A member stands, nominating themselves (as any member may)."""
    from tribune.elections import services as elections

    candidacy = elections.nominate(member, election, member, statement="I will keep to it.")
    elections.accept_nomination(member, candidacy, statement="I will keep to the mandate.")


CANDIDATES = [
    ("Rosa", "Left Unity", "Rent strikes need a committee that answers to the estates."),
    ("Sami", "Left Unity", "Every branch should report monthly against the programme."),
    ("Kemi", "Renters First", "Win repairs first, then build for the rent freeze."),
    ("Ivo", "Renters First", "Open the books: publish every decision in the audit log."),
    ("Tove", "", "I chaired Westfield's occupation; I stand on my record."),
    ("Gus", "Federation Now", "Join the regional federation on the housing demands."),
]


def _past_election(organisation: Organisation, clock: Clock) -> None:
    """The first executive committee, elected by STV a month ago: results published."""
    from tribune.elections import services as elections

    ana = Member.objects.get(organisation=organisation, email="ana@example.org")
    committee = _office(organisation, "Committee member")
    # The steward and the convenor are elected alongside: one candidate each.
    good = Member.objects.filter(organisation=organisation, standing=Standing.GOOD)
    kingsport = good.filter(home_branch__slug="kingsport").order_by("pk").first()
    others = [
        (elections.call_election(ana, office=_office(organisation, title)), member)
        for title, member in (
            ("Debate steward", good.get(email="dana@example.org")),
            ("Convenor", ana),
            ("Archivist", ana),
            ("Kingsport organiser", kingsport),
            ("Network delegate", ana),
        )
        if member is not None
    ]
    election = elections.call_election(
        ana, office=committee, title="Executive committee: first election"
    )
    clock.advance(days=1)
    people = Member.objects.filter(organisation=organisation, standing=Standing.GOOD)
    candidates = []
    for first, faction, statement in CANDIDATES:
        member = people.filter(name__startswith=f"{first} ").first() or people[len(candidates)]
        candidacy = elections.nominate(member, election, member, statement=statement)
        elections.accept_nomination(member, candidacy, statement=statement, faction_label=faction)
        candidates.append(candidacy.pk)
    for other, member in others:
        _stand(other, member)
    clock.now = election.voting_open_at + timedelta(hours=2)
    elections.advance(election)
    for other, _member in others:
        elections.advance(other)
        (candidacy,) = other.candidacies.all()
        for voter in elections.electorate(other).order_by("-pk")[:12]:  # a dozen vote in each
            elections.cast_ballot(voter, other, [candidacy.pk])
    rng = random.Random(1917)
    slates = [[0, 1, 4], [2, 3, 4], [1, 0, 5], [4, 2], [5, 0], [3, 2, 1, 0]]
    voters = list(people.order_by("pk"))
    casting = voters[: int(len(voters) * 0.7)]
    # Ballots spread over most of the window, and the clock's first tick of each day,
    # which keeps that day's turnout (a count per day; no ballot has a time).
    step = (election.voting_close_at - clock.now) * 0.8 / max(1, len(casting))

    def tick_until(moment) -> None:
        while True:
            local = timezone.localtime(clock.now, organisation.zone)
            tick = local.replace(hour=0, minute=1, second=0, microsecond=0) + timedelta(days=1)
            if tick > moment:
                break
            clock.now = tick
            elections.advance(election)
        clock.now = moment

    for voter in casting:
        order = list(rng.choice(slates))
        if rng.random() < 0.3:
            rng.shuffle(order)
        elections.cast_ballot(voter, election, [candidates[i] for i in order])
        tick_until(clock.now + step)
    tick_until(election.voting_close_at - timedelta(minutes=1))
    clock.now = election.voting_close_at + timedelta(minutes=5)
    elections.advance(election)
    for other, _email in others:
        elections.advance(other)


def _current_business(organisation: Organisation, clock: Clock) -> None:
    """An election open for voting now, with a returning officer, and a recall petition."""
    from tribune.elections import services as elections
    from tribune.offices.models import Office, Term

    ana = Member.objects.get(organisation=organisation, email="ana@example.org")
    eli = Member.objects.get(organisation=organisation, email="eli@example.org")
    secretary = Office.objects.get(body__organisation=organisation, title="Secretary")
    clock.now = clock.real_now() - timedelta(days=16)
    election = elections.call_election(ana, office=secretary, returning_officer=eli)
    for email, statement in (
        ("ben@example.org", "I will publish minutes within a week of every meeting."),
        ("cam@example.org", "I will open the committee's correspondence to every member."),
    ):
        member = Member.objects.get(organisation=organisation, email=email)
        elections.nominate(member, election, member, statement=statement)
        clock.advance(hours=5)
    clock.now = clock.real_now() - timedelta(days=1)
    elections.advance(election)
    candidates = [c.pk for c in election.candidacies.order_by("pk")]
    people = list(elections.electorate(election).order_by("-pk")[:40])
    for i, voter in enumerate(people):
        elections.cast_ballot(voter, election, candidates[:: 1 if i % 3 else -1])
        clock.advance(minutes=11)
    term = Term.objects.current().filter(office__title="Committee member").order_by("pk").first()
    # The signers are people nobody logs in as: Ben, logging in, finds a petition he may sign.
    voters = list(
        elections.electorate(term.office.body.branch)
        .exclude(pk=term.member_id)
        .exclude(email__in=[f"{s}@example.org" for s in ("ana", "ben", "cam", "dana", "eli")])
    )
    petition = elections.open_recall_petition(
        voters[0],
        term,
        "Missed four of the last five committee meetings without sending apologies.",
    )
    for voter in voters[1:12]:
        clock.advance(minutes=23)
        elections.sign_recall_petition(voter, petition)
    clock.now = clock.real_now()
