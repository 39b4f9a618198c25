"""The demo's network: a second organisation, a network of the two, a coalition on one demand.

Called by ``tribune.organisations.demo.create_demo`` with its replaying clock,
after the struggles. Built only through public services, as a real pair of
organisations would do it:

* the Tenants' League is founded through the founding service (Lea Moreau, its
  provisional secretary, holds ``represent_in_networks`` among her powers);
* the People's Union's network delegate (an office of its constitution's
  structure, elected with the first committee) founds the Housing Justice
  Network under that mandate and invites the League;
* the League's members decide by referendum to join, and each organisation
  ratifies the Rent Freeze Coalition by its own certified referendum, the
  Union linking the demand to the housing section of its programme;
* a coalition pledge counts pledges made in both (each tells only its count);
  the Riverside rent strike is run with the coalition, and a leaflet of the
  Union's archive is shared with the network.
"""

from datetime import timedelta

from tribune.members.models import Member, Standing

LEAGUE = "tenants-league"

LEAGUE_MEMBERS = [
    "Abel Quispe",
    "Bea Lindqvist",
    "Chen Haddad",
    "Dario Mensah",
    "Edda Sato",
    "Femi Kowalski",
    "Gita Romero",
    "Hugo Tanaka",
    "Ines Osei",
    "Jonas Petrov",
    "Kira Duarte",
    "Lars Nakamura",
]


def networks_demo(union, clock) -> None:
    from tribune.networks import coalitions, concert, networks
    from tribune.organisations.demo import CONSTITUTION, _user
    from tribune.organisations.services import found_organisation
    from tribune.struggles.services import pledges

    ana = Member.objects.get(organisation=union, email="ana@example.org")
    clock.now = clock.real_now() - timedelta(days=30)
    league = found_organisation(
        name="Tenants' League (demo)",
        slug=LEAGUE,
        description=(
            "A second demonstration organisation, in a network and a coalition with the "
            "People's Union. Log in as lea@example.org (its secretary)."
        ),
        constitution=dict(CONSTITUTION),
        founders=[
            {
                "name": "Lea Moreau",
                "email": "lea@example.org",
                "user": _user("lea"),
                "office": "Secretary",
                "powers": [
                    "admit_members",
                    "call_elections",
                    "run_struggles",
                    "represent_in_networks",
                ],
            }
        ],
    )
    lea = Member.objects.get(organisation=league, email="lea@example.org")
    _admit(league, lea)
    clock.advance(hours=3)
    network = networks.found_network(
        ana,
        union,
        name="Housing Justice Network",
        slug="housing-justice",
        purpose=(
            "Tenants' organisations acting together for homes people can afford: shared "
            "pledges, shared calendars, solidarity between estates and cities."
        ),
        decision_rule="one_vote",
        decision_kind="mandate",
    )
    networks.invite(ana, union, network, member_uri=league.uri)
    coalition = coalitions.create_coalition(
        ana,
        union,
        name="Rent Freeze Coalition",
        slug="rent-freeze",
        purpose="Together until the council votes a rent freeze.",
        demands=[{"key": "rent-freeze", "title": "Freeze rents for three years"}],
        ends_on=clock.real_now().date() + timedelta(days=120),
        network=network,
    )
    coalitions.invite(ana, union, coalition, organisation_uri=league.uri)
    coalitions.decide(lea, league, coalition, "ratifying")
    union_vote, league_join, league_vote = _referendums(
        clock,
        [
            (union, ana, "Ratify the Rent Freeze Coalition?"),
            (league, lea, "Join the Housing Justice Network?"),
            (league, lea, "Ratify the Rent Freeze Coalition?"),
        ],
    )
    networks.join(lea, league, network, decision_kind="referendum", decision_ref=league_join.pk)
    coalitions.decide(
        ana,
        union,
        coalition,
        "ratified",
        decision_kind="referendum",
        decision_ref=union_vote.pk,
        programme_links={"rent-freeze": ["housing"]},
    )
    coalitions.decide(
        lea, league, coalition, "ratified", decision_kind="referendum", decision_ref=league_vote.pk
    )
    clock.now = clock.real_now() - timedelta(days=2)
    pledge = concert.create(
        ana,
        union,
        coalition,
        action="withhold rent in every building of both organisations",
        threshold=40,
        deadline=clock.real_now() + timedelta(days=21),
        details="The rent strike starts the Monday after forty tenants have committed.",
    )
    chapters = {
        union: concert.open_chapter(ana, union, pledge),
        league: concert.open_chapter(lea, league, pledge),
    }
    for organisation, how_many in ((union, 14), (league, 9)):
        good = Member.objects.filter(organisation=organisation, standing=Standing.GOOD)
        for member in good.exclude(email__in=_LOGINS).order_by("-pk")[:how_many]:
            pledges.make_pledge(member, chapters[organisation])
            clock.advance(minutes=37)
    _share(union, ana, coalition, network)
    clock.now = clock.real_now()


_LOGINS = [f"{s}@example.org" for s in ("ana", "ben", "cam", "dana", "eli", "lea")]


def _admit(league, lea) -> None:
    from tribune.members import services

    root = league.root_branch
    for i, name in enumerate(LEAGUE_MEMBERS):
        first, last = name.split()
        applicant = services.apply_for_membership(
            league,
            user=None,
            name=name,
            email=f"{first.lower()}.{last.lower()}.league{i}@example.org",
            branch=root,
        )
        services.admit_member(lea, applicant)


def _referendums(clock, questions):
    """Each organisation's members vote; the results are certified (quorum met)."""
    from tribune.elections import services as elections
    from tribune.elections.models import Kind

    called = [
        elections.call_election(
            caller,
            kind=Kind.REFERENDUM,
            title=title,
            question=title,
            electorate_branch=organisation.root_branch,
        )
        for organisation, caller, title in questions
    ]
    clock.now = max(e.voting_open_at for e in called) + timedelta(hours=2)
    for n, election in enumerate(called):
        electorate = elections.electorate(election).order_by("pk")
        voters = list(electorate[: electorate.count() // 8 + 4])  # above the 10 % quorum
        for i, voter in enumerate(voters):
            elections.cast_ballot(voter, election, "no" if (i + n) % 5 == 0 else "yes")
        clock.advance(hours=1)
    clock.now = max(e.voting_close_at for e in called) + timedelta(minutes=5)
    return [elections.advance(e) for e in called]


def _share(union, ana, coalition, network) -> None:
    from tribune.archive.models import Document
    from tribune.networks import sharing
    from tribune.struggles.models import Struggle

    strike = Struggle.objects.get(organisation=union, title="Riverside Court rent strike")
    sharing.share(ana, union, coalition, kind="struggle", item_id=strike.pk)
    for event in strike.events.filter(visibility="public", cancelled_at__isnull=True)[:1]:
        sharing.share(ana, union, coalition, kind="event", item_id=event.pk)
    leaflet = (
        Document.objects.filter(organisation=union, visibility="public", published__isnull=False)
        .order_by("pk")
        .first()
    )
    if leaflet is not None:
        sharing.share_document(ana, union, network, document_id=leaflet.pk)


def network_tables(slugs: list[str]) -> list:
    """What ``remove_demo`` deletes of this app first: everything the demo's
    organisations founded, joined or cited (deleted through the ORM: it cascades here)."""
    from tribune.networks.models import (
        Cited,
        Coalition,
        ConcertCount,
        ConcertPledge,
        Membership,
        Network,
        Participation,
        SharedDocument,
    )
    from tribune.organisations.models import Organisation

    uris = [o.uri for o in Organisation.objects.filter(slug__in=slugs)]
    return [
        ConcertCount.objects.filter(organisation_uri__in=uris),
        ConcertPledge.objects.filter(created_by_uri__in=uris),
        SharedDocument.objects.filter(organisation_uri__in=uris),
        Coalition.objects.filter(founded_by_uri__in=uris),
        Participation.objects.filter(organisation_uri__in=uris),
        Network.objects.filter(founded_by_uri__in=uris),
        Membership.objects.filter(member_uri__in=uris),
        Cited.objects.filter(organisation_uri__in=uris),
    ]
