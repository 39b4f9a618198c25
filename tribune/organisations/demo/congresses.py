"""The demo's programme and congresses: the first, past, which amended the programme;
the second, sitting today with motions, amendments and a speakers list.
"""

from datetime import timedelta

from tribune.members.models import Member, Standing
from tribune.organisations.demo.clock import Clock
from tribune.organisations.models import Organisation

PROGRAMME = [
    (
        "housing",
        "Housing",
        "1. Rents are frozen for three years.\n"
        "2. Repairs are done within 28 days of being reported.\n"
        "3. No evictions in winter.\n"
        "4. Every estate elects a tenants' committee the landlord must recognise.",
    ),
    (
        "work",
        "Work",
        "1. A living wage for every worker, from the first day.\n"
        "2. Zero-hours contracts are abolished.\n"
        "3. Every workplace may elect union representatives.",
    ),
    (
        "democracy",
        "Democracy",
        "1. Every office is elected, mandated, recallable and term-limited.\n"
        "2. Every decision of the organisation is published.",
    ),
]


def _member(organisation: Organisation, email: str) -> Member:
    return Member.objects.get(organisation=organisation, email=email)


def _voters(organisation: Organisation) -> list[Member]:
    return list(
        Member.objects.filter(organisation=organisation, standing=Standing.GOOD).order_by("pk")
    )


def _first_congress(organisation: Organisation, clock: Clock) -> None:
    """Programme version 1, then a congress (now past) whose motion rewrote a section: v2.

    120 of the members checked in; 80 voted, well above the quorum of 10%."""
    from tribune.assemblies import services as assemblies
    from tribune.assemblies import sessions
    from tribune.assemblies.models import Assembly

    clock.now = max(clock.now, clock.real_now() - timedelta(days=19, hours=12))
    # Ana was elected convenor with the first executive.
    ana, eli = _member(organisation, "ana@example.org"), _member(organisation, "eli@example.org")
    assemblies.found_programme(organisation, PROGRAMME)
    start = clock.now + timedelta(days=2)
    congress = assemblies.convene(
        ana,
        organisation.root_branch,
        title="First congress",
        kind=Assembly.Kind.GENERAL,
        starts_at=start,
        ends_at=start + timedelta(hours=8),
        motions_deadline=clock.now + timedelta(days=1),
        chair=eli,
        speaking_minutes=3,
    )
    clock.advance(hours=3)
    motion = assemblies.table_motion(
        _member(organisation, "ben@example.org"),
        congress,
        title="No evictions, in any season",
        text=PROGRAMME[0][2],
        programme_section="housing",
    )
    structure = assemblies.table_motion(
        _member(organisation, "cam@example.org"),
        congress,
        title="Adopt the structure the provisional committee set up",
        text=(
            "The congress adopts the executive committee, the debate stewards, the archive "
            "committee and the congress arrangements committee, with their mandates, as the "
            "constitution now describes them."
        ),
        constitution_change={"structure": organisation.current_constitution().structure},
    )
    clock.advance(hours=5)
    amendment = assemblies.table_amendment(
        _member(organisation, "cam@example.org"),
        motion,
        start=3,
        end=3,
        new_text="3. No evictions, in any season.",
        reason="Families are evicted in summer too.",
    )
    clock.now = start + timedelta(minutes=30)
    assemblies.seat_participants(eli, congress)
    voters = _voters(organisation)
    seats = {p.member_id: p for p in congress.participants.all()}
    sessions.check_in(eli, congress, [seats[v.pk] for v in voters[:120]], "present")
    sessions.open_session(eli, congress)
    item = assemblies.add_agenda_item(eli, congress, title="Housing", minutes=45)
    assemblies.set_current_item(eli, item)
    for subject, no_every in ((amendment, 4), (motion, 6), (structure, 9)):
        vote = assemblies.open_vote(
            eli,
            congress,
            **({"amendment": subject} if subject is amendment else {"motion": subject}),
        )
        for i, voter in enumerate(voters[:80]):
            assemblies.cast_live_vote(voter, vote, "no" if i % no_every == 0 else "yes")
        clock.advance(minutes=6)
        assemblies.close_vote(eli, vote)
        clock.advance(minutes=20)
    assemblies.close_assembly(eli, congress)


def _second_congress_called(organisation: Organisation, clock: Clock):
    """The second congress, called after the first: it sits today (from two hours ago, for
    three days). Motions (two competing on housing, for a ranking vote) and amendments (two
    in conflict) were tabled by the deadline, three days ago."""
    from tribune.assemblies import services as assemblies
    from tribune.assemblies.models import Assembly

    ana, eli = _member(organisation, "ana@example.org"), _member(organisation, "eli@example.org")
    ben, cam = _member(organisation, "ben@example.org"), _member(organisation, "cam@example.org")
    start = clock.real_now() - timedelta(hours=2)
    congress = assemblies.convene(
        ana,
        organisation.root_branch,
        title="Second congress",
        kind=Assembly.Kind.GENERAL,
        starts_at=start,
        ends_at=start + timedelta(days=3),
        motions_deadline=start - timedelta(days=3),
        chair=eli,
        speaking_minutes=3,
        proxies_allowed=True,
    )
    items = [
        assemblies.add_agenda_item(eli, congress, title=title, minutes=minutes, report=report)
        for title, minutes, report in (
            ("Work", 60, "The committee's report on the living-wage campaign."),
            ("Housing", 45, ""),
            ("Organisation", 30, ""),
        )
    ]
    wage = assemblies.table_motion(
        ben,
        congress,
        title="A living wage, indexed to rents",
        text=(
            "1. A living wage for every worker, from the first day.\n"
            "2. The living wage rises every year with the local rents.\n"
            "3. Zero-hours contracts are abolished.\n"
            "4. Every workplace may elect union representatives."
        ),
        agenda_item=items[0],
        programme_section="work",
    )
    assemblies.table_motion(
        cam,
        congress,
        title="Branches report monthly",
        text=(
            "1. Every branch publishes a monthly report against the programme.\n"
            "2. The executive committee answers every report within a month."
        ),
        agenda_item=items[2],
    )
    # Two competing motions on one item: the chair can have the hall rank them first.
    assemblies.table_motion(
        ana,
        congress,
        title="A rent strike this winter",
        text=(
            "1. Tenants' branches organise a rent strike from the first of December.\n"
            "2. The union's hardship fund backs every striking household."
        ),
        agenda_item=items[1],
    )
    assemblies.table_motion(
        ben,
        congress,
        title="A rent ballot before any strike",
        text=(
            "1. Every tenants' branch ballots its members on a rent strike.\n"
            "2. A strike starts only where the majority of a block votes for it."
        ),
        agenda_item=items[1],
    )
    assemblies.table_amendment(
        cam, wage, start=2, end=2, new_text="2. The living wage rises every year with prices."
    )
    assemblies.table_amendment(
        _member(organisation, "dana@example.org"),
        wage,
        start=2,
        end=3,
        new_text="2. The living wage is set by the workers' own union branches.",
        reason="Conflicts with A1: the chair will take them in turn.",
    )
    assemblies.table_amendment(
        ben, wage, start=5, end=4, new_text="5. Agency workers are paid as staff."
    )
    return congress


def _second_congress_sits(congress, clock: Clock) -> None:
    """Today: the desk checks in three quarters of the members (150 of the usual 200) and 4
    proxies; the chair opens the session and
    takes the first item, with a speakers list. A vote the chair opens now is quorate to
    open (quorum 10%); it is carried only if enough of the hall votes."""
    from tribune.assemblies import services as assemblies
    from tribune.assemblies import sessions

    organisation = congress.organisation
    eli, ben = _member(organisation, "eli@example.org"), _member(organisation, "ben@example.org")
    clock.now = clock.real_now()
    assemblies.seat_participants(eli, congress)
    voters = _voters(organisation)
    seats = {p.member_id: p for p in congress.participants.all()}
    present = 150 if len(voters) >= 160 else len(voters) * 3 // 4
    sessions.check_in(eli, congress, [seats[v.pk] for v in voters[:present]], "present")
    for giver, holder in zip(voters[present : present + 4], voters[10:14], strict=False):
        sessions.check_in(eli, congress, [seats[giver.pk]], "proxy", holder=seats[holder.pk])
    sessions.open_session(eli, congress)
    items = list(congress.agenda.order_by("position"))
    assemblies.set_current_item(eli, items[0])
    for voter in voters[10:14]:
        assemblies.request_to_speak(voter, items[0])
    assemblies.request_to_speak(ben, items[0], point_of_order=True)
