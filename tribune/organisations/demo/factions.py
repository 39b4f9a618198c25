"""The demo's three factions, founded by their candidates and others."""

from datetime import timedelta

from tribune.members.models import Member, Standing
from tribune.organisations.demo.clock import Clock
from tribune.organisations.models import Organisation

FACTIONS = {
    "Left Unity": (
        "## Left Unity\n\nOne organisation of tenants and workers, run by its members.\n\n"
        "* Rent strikes coordinated across estates, with a committee answerable to them\n"
        "* Every branch reports monthly against the programme",
        "## Left Unity\n\nOne organisation of tenants and workers, run by its members.\n\n"
        "* Rent strikes coordinated across estates, with a committee answerable to them\n"
        "* Every branch reports monthly against the programme\n"
        "* A strike fund held by the branches, not the centre",
    ),
    "Renters First": (
        "## Renters First\n\nWin repairs now; build the strength for a rent freeze.\n\n"
        "1. A repairs campaign in every building\n2. Open books: every decision published",
    ),
    "Federation Now": (
        "## Federation Now\n\nJoin the regional federation on the housing demands: "
        "partial unity on specific demands, never a merger.",
    ),
}


def _factions(organisation: Organisation, clock: Clock) -> None:
    """Three factions founded by their election candidates and others; some members private.

    Founded between the first election and the current business, through the
    real services: signatures up to the threshold, a second platform version,
    a statement, and members who chose public or private membership.
    """
    from tribune.elections.models import Candidacy
    from tribune.factions import services as factions
    from tribune.factions.models import Visibility

    threshold = organisation.current_constitution().faction_threshold
    people = list(
        Member.objects.filter(organisation=organisation, standing=Standing.GOOD).order_by("pk")
    )
    candidacies = Candidacy.objects.filter(
        election__organisation=organisation, faction_label__in=FACTIONS
    ).select_related("member")
    # Tove stood on her record, with no faction: no candidate is put in another's faction.
    taken = set(
        Candidacy.objects.filter(election__organisation=organisation).values_list(
            "member_id", flat=True
        )
    )
    ben = Member.objects.get(organisation=organisation, email="ben@example.org")
    others = iter(p for p in people[10:] if p.pk not in taken and p.pk != ben.pk)
    clock.now = clock.real_now() - timedelta(days=29)
    for name, versions in FACTIONS.items():
        founders = [c.member for c in candidacies if c.faction_label == name]
        while len(founders) < threshold:
            founders.append(next(others))
        faction = factions.propose_faction(
            founders[0], organisation, name=name, platform=versions[0]
        )
        for founder in founders[1:]:
            clock.advance(hours=7)
            factions.sign_founding(founder, faction)
        faction.refresh_from_db()
        for founder in founders[: len(founders) // 2 + 1]:  # the candidates are public
            factions.set_visibility(founder, faction, Visibility.PUBLIC)
        for i in range(4):
            clock.advance(hours=3)
            visibility = Visibility.PUBLIC if i % 2 else Visibility.PRIVATE
            factions.join_faction(next(others), faction, visibility=visibility)
        for text in versions[1:]:
            clock.advance(days=2)
            factions.publish_platform(founders[0], faction, text)
        clock.advance(days=1)
    renters = organisation.factions.get(name="Renters First")
    factions.join_faction(ben, renters, visibility=Visibility.PRIVATE)  # log in as Ben to see
    left = organisation.factions.get(name="Left Unity")
    convenor = left.proposed_by
    clock.advance(hours=5)
    factions.publish_statement(
        convenor,
        left,
        title="On the Westfield occupation",
        text=(
            "Left Unity backs the occupation without conditions. We call on every branch "
            "to send delegates to the occupiers' assembly on Saturday."
        ),
    )
