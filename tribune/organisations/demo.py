"""The demo organisation: branches, ~200 members, a provisional committee, pending business.

Built through the same actions a real organisation uses, so the demo's audit
log verifies and every page shows something real. Deterministic (fixed seed).
"""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tribune.audit.models import AuditEntry
from tribune.audit.models import Checkpoint as AuditCheckpoint
from tribune.constitution.models import AdmissionRule
from tribune.education.demo import education_demo
from tribune.members import services
from tribune.members.models import Member, Standing
from tribune.networks.demo import networks_demo
from tribune.organisations.models import Organisation
from tribune.organisations.services import create_branch, found_organisation
from tribune.struggles.demo import struggles_demo

SLUG = "peoples-union"

FIRST = [
    "Ana",
    "Ben",
    "Cam",
    "Dana",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kemi",
    "Lior",
    "Mara",
    "Nuno",
    "Oya",
    "Pita",
    "Quinn",
    "Rosa",
    "Sami",
    "Tove",
    "Uma",
    "Vik",
    "Wren",
    "Xiu",
    "Yusuf",
    "Zora",
]
LAST = [
    "Okafor",
    "Brandt",
    "Costa",
    "Reyes",
    "Novak",
    "Haddad",
    "Lindqvist",
    "Moreau",
    "Sato",
    "Ivanova",
    "Mensah",
    "Kowalski",
    "Duarte",
    "Nakamura",
    "Osei",
    "Petrov",
    "Quispe",
    "Romero",
    "Sandoval",
    "Tanaka",
]

CONSTITUTION = {
    "preamble": (
        "We, the members, hold every office in trust. **Every elected role has a specific "
        "mandate, is recallable and has a term limit.** Members may organise in permanent "
        "factions, and debate is open all year round."
    ),
    "default_term_days": 365,
    "max_term_days": 730,
    "term_limit": 2,
    "recall_threshold_percent": Decimal("20"),
    "quorum_percent": Decimal("10"),
    "faction_threshold": 5,
    "amendment_majority_numerator": 2,
    "amendment_majority_denominator": 3,
    "programme_by_amendment_majority": True,
    "admission_rule": AdmissionRule.OFFICER,
}

# (short name, full name, body, office, powers)
FOUNDERS = [
    (
        "ana",
        "Ana Okafor",
        "committee",
        "Branch secretary",
        [
            "admit_members",
            "suspend_members",
            "manage_standing",
            "call_elections",
            "manage_branches",
            "run_struggles",
        ],
    ),
    (
        "dana",
        "Dana Reyes",
        "committee",
        "Membership officer",
        ["view_member_contacts", "import_members", "admit_members"],
    ),
    ("eli", "Eli Novak", "appeals", "Appeals committee member", []),
]
PLAIN_MEMBERS = [("ben", "Ben Brandt"), ("cam", "Cam Costa")]

BRANCHES = [
    ("north", "North Region", "regional", None),
    ("south", "South Region", "regional", None),
    ("millbrook", "Millbrook", "local", "north"),
    ("ashford", "Ashford", "local", "north"),
    ("riverside", "Riverside", "local", "south"),
    ("kingsport", "Kingsport", "local", "south"),
    ("westfield", "Westfield", "local", "south"),
]


def _user(short: str):
    User = get_user_model()
    email = f"{short}@example.org"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            username=short, email=email, password=settings.TRIBUNE_DEMO_PASSWORD
        )
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"primary": True, "verified": True}
    )
    return user


def remove_demo() -> None:
    """Wipe the demo organisations (and their network), table by table (PROTECT keys
    forbid a cascade)."""
    from tribune.networks.demo import LEAGUE, network_tables

    for queryset in network_tables([SLUG, LEAGUE]):
        queryset.delete()
    for slug in (LEAGUE, SLUG):
        _remove_organisation(slug)


def _remove_organisation(slug: str) -> None:
    from tribune.assemblies import models as a
    from tribune.constitution.models import ConstitutionVersion
    from tribune.debate import models as d
    from tribune.elections import models as e
    from tribune.factions import models as f
    from tribune.members.models import Appeal, ImportJob, StandingChange
    from tribune.offices.models import Body, Office, Term
    from tribune.struggles.demo import struggle_tables

    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return
    org = {"organisation": organisation}
    via_term = {"term__office__body__organisation": organisation}
    via_election = {"election__organisation": organisation}
    with transaction.atomic():
        from tribune.education.demo import education_tables

        for queryset in education_tables(organisation):
            queryset._raw_delete(queryset.db)
        from tribune.archive import models as ar
        from tribune.archive.services import INDEX

        for pk in ar.Document.objects.filter(**org).values_list("pk", flat=True):
            INDEX.drop(pk)
        ar.Document.objects.filter(**org).update(published=None)
        for queryset in (
            ar.Appeal.objects.filter(decision__version__document__organisation=organisation),
            ar.Decision.objects.filter(version__document__organisation=organisation),
            ar.Link.objects.filter(document__organisation=organisation),
            ar.Document.tags.through.objects.filter(document__organisation=organisation),
            ar.DocumentVersion.objects.filter(document__organisation=organisation),
            ar.Document.objects.filter(**org),
            ar.Tag.objects.filter(**org),
        ):
            queryset._raw_delete(queryset.db)
        # The only place Tribune removes audit entries: the demo is wiped whole.
        via_thread = {"post__thread__organisation": organisation}
        via_faction = {"faction__organisation": organisation}
        via_assembly = {"assembly__organisation": organisation}
        for queryset in (
            *struggle_tables(organisation),
            a.NamedVote.objects.filter(live_vote__assembly__organisation=organisation),
            a.LiveVote.objects.filter(**via_assembly),
            a.SpeakerRequest.objects.filter(item__assembly__organisation=organisation),
            a.Proxy.objects.filter(giver__assembly__organisation=organisation),
            a.ProgrammeSection.objects.filter(version__programme__organisation=organisation),
            a.ProgrammeVersion.objects.filter(programme__organisation=organisation),
            a.Programme.objects.filter(**org),
            a.Amendment.objects.filter(motion__assembly__organisation=organisation),
            a.MotionVersion.objects.filter(motion__assembly__organisation=organisation),
            a.Motion.objects.filter(**via_assembly),
            a.AgendaItem.objects.filter(**via_assembly),
            a.Participant.objects.filter(**via_assembly),
            a.Session.objects.filter(**via_assembly),
            a.Assembly.objects.filter(**org),
            d.Notification.objects.filter(**via_thread),
            d.ModerationAppeal.objects.filter(action__post__thread__organisation=organisation),
            d.ModerationAction.objects.filter(**via_thread),
            d.Follow.objects.filter(thread__organisation=organisation),
            d.Post.objects.filter(thread__organisation=organisation),
            d.Thread.objects.filter(**org),
            d.DebateRule.objects.filter(**org),
            f.Endorsement.objects.filter(**via_faction),
            f.Statement.objects.filter(**via_faction),
            f.PlatformVersion.objects.filter(**via_faction),
            f.FactionMembership.objects.filter(**via_faction),
            f.FoundingSignature.objects.filter(**via_faction),
            e.RecallSignature.objects.filter(
                petition__term__office__body__organisation=organisation
            ),
            e.RecallPetition.objects.filter(**via_term),
            e.ReportComment.objects.filter(report__term__office__body__organisation=organisation),
            e.MandateReport.objects.filter(**via_term),
            f.Endorsement.objects.filter(faction__organisation=organisation),
            f.Statement.objects.filter(faction__organisation=organisation),
            f.PlatformVersion.objects.filter(faction__organisation=organisation),
            f.FactionMembership.objects.filter(faction__organisation=organisation),
            f.FoundingSignature.objects.filter(faction__organisation=organisation),
            e.Seconding.objects.filter(candidacy__election__organisation=organisation),
            e.Candidacy.objects.filter(**via_election),
            e.VoterRoll.objects.filter(**via_election),
            e.Ballot.objects.filter(**via_election),
            e.TurnoutDay.objects.filter(**via_election),
            e.Election.objects.filter(**org),
            Appeal.objects.filter(standing_change__member__organisation=organisation),
            StandingChange.objects.filter(member__organisation=organisation),
            ImportJob.objects.filter(**org),
            AuditCheckpoint.objects.filter(**org),
            AuditEntry.objects.filter(**org),
            Term.objects.filter(office__body__organisation=organisation),
            ConstitutionVersion.objects.filter(**org),
            Office.objects.filter(body__organisation=organisation),
            Body.objects.filter(**org),
            f.Faction.objects.filter(**org),
            f.Faction.objects.filter(**org),
            Member.objects.filter(**org),
            organisation.branches.all(),
            Organisation.objects.filter(pk=organisation.pk),
        ):
            queryset._raw_delete(queryset.db)


class Clock:
    """Replays the demo's history: the organisation was founded 60 days ago.

    Every action runs through the real services; only the server clock they
    read is set back, so dates, terms and the audit chain read as a real
    organisation's two months would.
    """

    def __init__(self, days_ago: int):
        self.now = timezone.now() - timedelta(days=days_ago)
        self._patch = mock.patch("django.utils.timezone.now", side_effect=lambda: self.now)

    @staticmethod
    def real_now() -> datetime:
        return datetime.now(UTC)

    def advance(self, **delta) -> None:
        self.now = min(self.now + timedelta(**delta), self.real_now())

    def __enter__(self):
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()


# The demo's debates, votes and congresses call on 40 ordinary members besides the
# named ones, and a quorum of the rest: below this it cannot be told as written.
FEWEST_MEMBERS = 80


@transaction.atomic
def create_demo(members: int = 200) -> Organisation:
    if members < FEWEST_MEMBERS:
        raise ValueError(f"The demo needs at least {FEWEST_MEMBERS} members (asked for {members}).")
    with Clock(days_ago=60) as clock:
        organisation = _found(members)
        clock.advance(days=1)
        _past_election(organisation, clock)
        _factions(organisation, clock)
        _debates(organisation, clock)
        _first_congress(organisation, clock)
        congress = _second_congress_called(organisation, clock)
        _current_business(organisation, clock)
        _second_congress_sits(congress, clock)
        _archive(organisation, clock)
        struggles_demo(organisation, clock)
        education_demo(organisation, clock)
        networks_demo(organisation, clock)
    return organisation


def _found(members: int) -> Organisation:
    rng = random.Random(1871)
    organisation = found_organisation(
        name="People's Union (demo)",
        slug=SLUG,
        description=(
            "A demonstration organisation: a federation of tenants' and workers' branches. "
            "Log in as ana@example.org (branch secretary) or ben@example.org (member)."
        ),
        constitution=CONSTITUTION,
        founders=[
            {
                "name": name,
                "email": f"{short}@example.org",
                "user": _user(short),
                "body": body,
                "office": office,
                "powers": powers,
            }
            for short, name, body, office, powers in FOUNDERS
        ],
    )
    ana = Member.objects.get(organisation=organisation, email="ana@example.org")
    branches = {None: organisation.root_branch}
    for slug, name, level, parent in BRANCHES:
        branches[slug] = create_branch(ana, branches[parent], name=name, level=level, slug=slug)
    locals_ = [b for b in branches.values() if b.level == "local"]
    for short, name in PLAIN_MEMBERS:
        applicant = services.apply_for_membership(
            organisation,
            user=_user(short),
            name=name,
            email=f"{short}@example.org",
            branch=branches["riverside"],
            statement="I organise in my building.",
        )
        services.admit_member(ana, applicant)
    names = {(f, la) for f in FIRST for la in LAST}
    chosen = rng.sample(sorted(names), members)
    for i, (first, last) in enumerate(chosen):
        applicant = services.apply_for_membership(
            organisation,
            user=None,
            name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}{i}@example.org",
            branch=rng.choice(locals_),
        )
        applicant.phone = f"+44 7700 9{rng.randrange(10**5):05d}"
        applicant.save(update_fields=["phone"])
        if i < 6:
            continue  # left as pending applications
        services.admit_member(ana, applicant)
    _structure(organisation, ana)
    suspended = Member.objects.filter(organisation=organisation, standing=Standing.GOOD).last()
    change = services.suspend_member(
        ana, suspended, "Repeatedly ignored the branch's safeguarding policy at meetings."
    )
    services.lodge_appeal(suspended, change, "I was not told of the complaint or heard.")
    return organisation


# The bodies and offices the provisional committee sets up, through the same page
# (and service) any new organisation's committee uses: body, kind, offices.
STRUCTURE = [
    (
        "Executive committee",
        "committee",
        [
            {
                "title": "Committee member",
                "mandate": (
                    "Carry out the programme between congresses; meet fortnightly; report to "
                    "the membership every quarter on what was done and what was not."
                ),
                "seats": 3,
            },
            {
                "title": "Secretary",
                "mandate": (
                    "Keep the records and correspondence; prepare meetings; publish minutes."
                ),
                "powers": ["call_elections"],
            },
        ],
    ),
    (
        "Debate stewards",
        "commission",
        [
            {
                "title": "Debate steward",
                "mandate": (
                    "Apply the published rules of debate, and only those: hide a post only by "
                    "citing a rule and giving a reason, never delete, and report every action."
                ),
                "powers": ["moderate_debate"],
            }
        ],
    ),
    (
        "Archive committee",
        "committee",
        [
            {
                "title": "Archivist",
                "mandate": (
                    "Keep the archive: publish what members propose when it is accurate and "
                    "belongs there, or refuse it with a public reason; write the courses "
                    "studied from it."
                ),
                "powers": ["curate_archive", "plan_courses"],
            }
        ],
    ),
    (
        "Kingsport committee",
        "committee",
        [
            {
                "title": "Kingsport organiser",
                "mandate": "Organise Kingsport's campaigns, and answer calls for solidarity.",
                "powers": ["run_struggles"],
            }
        ],
        "kingsport",
    ),
    (
        "Network delegation",
        "commission",
        [
            {
                "title": "Network delegate",
                "mandate": (
                    "Represent the union in the networks and coalitions its members decide to "
                    "join: carry out their decisions there, and report on them every quarter."
                ),
                "powers": ["represent_in_networks", "run_struggles"],
            }
        ],
    ),
    (
        "Congress arrangements committee",
        "committee",
        [
            {
                "title": "Convenor",
                "mandate": (
                    "Convene the congresses and assemblies the membership or its committees call."
                ),
                "powers": ["convene_assemblies"],
            }
        ],
    ),
]


def _structure(organisation: Organisation, ana: Member) -> None:
    """The provisional committee sets up the first structure, one change at a time."""
    from tribune.constitution import services as constitution
    from tribune.constitution import structure as structures
    from tribune.elections.amendments import change_structure

    for name, kind, offices, *branch in STRUCTURE:
        version = organisation.current_constitution()
        new, key = structures.add_body(
            version.structure,
            name=name,
            kind=kind,
            branch=branch[0] if branch else "",
            taken=constitution.taken_keys(organisation),
        )
        for office in offices:
            new, _ = structures.put_office(new, version, key, **office)
        change_structure(ana, organisation, new, summary=f"set up the {name.lower()}")


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


DEBATES = [
    # (opener's email or None for a plain member, title, subject, branch slug, opening post)
    (
        "ben@example.org",
        "Rent strike now, or repairs campaign first?",
        "Programme: housing demands",
        None,
        "The programme says **rent freeze**. I say we cannot win it without a strike, and "
        "we cannot strike until every building has a committee. Which comes first?\n\n"
        "* a repairs campaign builds the committees;\n* a strike tests them.",
    ),
    (
        "ana@example.org",
        "Millbrook: organising the Hawthorn estate",
        "",
        "millbrook",
        "Forty flats with damp and no heating since October. I propose a door-knock "
        "this Saturday and a building meeting on Tuesday. Who can come?",
    ),
    (
        "cam@example.org",
        "What the first committee election taught us",
        "",
        None,
        "Turnout was 70%. STV gave each current of opinion its fair share of seats. "
        "Next time: hustings in every branch, not just online.",
    ),
]

REPLIES = [
    (0, "ana@example.org", "Repairs first. A strike called before the committees exist is lost."),
    (0, None, "Both at once: the repairs campaign *is* how we prepare the strike."),
    (0, "cam@example.org", "Then let us put a motion to the next general meeting."),
    (1, "ben@example.org", "I can do Saturday morning. I will bring the leaflets."),
    (2, "eli@example.org", "Agreed on hustings. Can branches record them for those on shifts?"),
]


def _debates(organisation: Organisation, clock: Clock) -> None:
    """A few polemics with replies, one faction-internal thread and two visible moderations.

    A "Debate stewards" body holds the ``moderate_debate`` power through a term
    of office, like every power; the steward hides one post under a published
    rule, with a reason the thread shows, and its author appeals. Another post
    publishes someone's address and is hidden under rule 2, which removes
    personal data: its text is withheld from members, its moderation record is not.
    """
    from tribune.debate import services as debate
    from tribune.elections.models import Election

    def member(email):
        return Member.objects.get(organisation=organisation, email=email)

    plain = list(
        Member.objects.filter(organisation=organisation, standing=Standing.GOOD)
        .exclude(email__in=[f"{s}@example.org" for s in ("ana", "ben", "cam", "dana", "eli")])
        .order_by("pk")[20:40]
    )
    clock.now = max(clock.now, clock.real_now() - timedelta(days=21))
    steward = member("dana@example.org")  # elected with the first executive
    past = Election.objects.filter(organisation=organisation).order_by("pk").first()
    threads = []
    for i, (email, title, subject, branch, text) in enumerate(DEBATES):
        clock.advance(hours=6)
        threads.append(
            debate.open_thread(
                member(email) if email else plain[i],
                organisation,
                title=title,
                text=text,
                subject=subject,
                branch=organisation.branches.get(slug=branch) if branch else None,
                election=past if i == 2 else None,
            )
        )
    for n, (index, email, text) in enumerate(REPLIES):
        clock.advance(hours=3)
        debate.reply(member(email) if email else plain[5 + n], threads[index], text)
    clock.advance(hours=2)
    heated = plain[12]
    post = debate.reply(
        heated,
        threads[0],
        "Anyone who wants to wait for repairs is a landlord's stooge, and Ana most of all.",
    )
    clock.advance(hours=4)
    action = debate.hide_post(
        steward,
        post,
        rule=organisation.debate_rules.get(number=1),
        reason=(
            "Personal abuse of another member. The argument for striking now is welcome "
            "without the insult."
        ),
    )
    clock.advance(hours=5)
    debate.appeal_moderation(
        heated, action, "It was a sharp political judgement, not abuse of a person."
    )
    # Rule 2 removes personal data: this post is withheld, readable only by its
    # author and the appeals committee (eli), while the record of the hiding is public.
    clock.advance(hours=1)
    doxx = debate.reply(
        plain[13],
        threads[1],
        "The caretaker who reports us to the landlord is Joe Marsh, 27 Linden Road, flat 2, "
        "mobile 07700 900123. Let him know what we think of him.",
    )
    clock.advance(hours=1)
    debate.hide_post(
        steward,
        doxx,
        rule=organisation.debate_rules.get(number=2),
        reason=(
            "Publishes a person's home address and phone number. Name what the caretaker "
            "does, not where he lives."
        ),
    )
    left = organisation.factions.get(name="Left Unity")
    insiders = [m.member for m in left.memberships.select_related("member").order_by("pk")]
    clock.advance(hours=3)
    internal = debate.open_thread(
        insiders[0],
        organisation,
        title="Our slate for the next committee election",
        text="We should stand three, not two: the first-preference share supports it.",
        faction=left,
    )
    clock.advance(hours=2)
    debate.reply(insiders[1], internal, "Three, if one of them is from the South Region.")


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


FOUNDING_V1 = """# Why we organise

We are tenants and workers of the towns along the river. Alone, each of us faces
a landlord or an employer who can wait longer than we can. Together we can wait
longer than them.

We organise **branch by branch**: every member belongs to a branch, every branch
elects its officers, and every officer can be recalled by those who elected them.
"""

FOUNDING_V2 = """# Why we organise

We are tenants and workers of the towns along the river. Alone, each of us faces
a landlord or an employer who can wait longer than we can. Together we can wait
longer than them, and we can win.

We organise **branch by branch**: every member belongs to a branch, every branch
elects its officers, and every officer can be recalled by those who elected them.
What one branch learns, every branch is taught: nobody keeps the know-how to themselves.
"""

RENT_STRIKE_LESSONS = """## What we tried

Forty-one households of Linden Court withheld rent for eleven weeks in 2019,
paying it into a strike fund held by the branch, until the landlord agreed to
repair the heating and to freeze rents for two years.

## What worked

* **Building committees first.** Every stairwell had a committee before the strike
  was called; no household was asked to strike alone.
* **The strike fund.** Rent paid into the fund showed we could pay and chose not to;
  it answered the landlord's eviction threats in court.
* **Weekly meetings** where every striking household had a voice.

## What failed

* We had one person who knew the court procedure. When she fell ill, we lost two
  weeks. Teach the procedure to many, before the next strike.
* The press statement went out late; the landlord's version was printed first.
"""

LEAFLET_PAGES = [
    [
        "Know your rights as a tenant",
        "Your landlord must repair heating, water and the structure of your home.",
        "Write to them, keep a copy, and bring it to your branch.",
    ],
    [
        "If they threaten eviction: do not leave. An eviction needs a court order.",
        "Rent strikes are won by committees, not by single households.",
        "People's Union - every branch meets weekly.",
    ],
]


def _archive(organisation: Organisation, clock: Clock) -> None:
    """The archive: a founding statement in two versions, lessons of a rent strike, a PDF
    leaflet, members-only negotiating notes, a refused proposal under appeal, one awaiting.

    The archive committee's archivist holds ``curate_archive`` through a term, like every power;
    everything else is proposed by members through the same services as the pages.
    """
    from tribune.archive import services as archive
    from tribune.archive.samplepdf import simple_pdf
    from tribune.debate.models import Thread
    from tribune.elections.models import Election

    def member(email):
        return Member.objects.get(organisation=organisation, email=email)

    # Ana was elected archivist with the first executive.
    ana, ben, cam, dana = (member(f"{s}@example.org") for s in ("ana", "ben", "cam", "dana"))

    def publish(version, reason):
        clock.advance(hours=2)
        archive.decide(ana, version, publish=True, reason=reason)

    clock.advance(hours=1)
    founding = archive.propose_document(
        ana, organisation, title="Founding statement", text=FOUNDING_V1
    )
    publish(founding.versions.get(), "Adopted at the founding meeting.")
    clock.advance(hours=5)
    second = archive.propose_version(
        ben,
        founding,
        title="Founding statement",
        text=FOUNDING_V2,
        note="Adds that what one branch learns, every branch is taught.",
    )
    publish(second, "The first congress endorsed the addition.")
    archive.set_tags(ana, founding, ["founding", "organising"])
    past = Election.objects.filter(organisation=organisation).order_by("pk").first()
    if past is not None:
        archive.add_link(ana, founding, target="election", ref=str(past.pk))
    archive.add_link(ana, founding, target="section", ref="housing")

    clock.advance(hours=3)
    lessons = archive.propose_document(
        cam,
        organisation,
        title="Lessons of the Linden Court rent strike",
        text=RENT_STRIKE_LESSONS,
        kind="lessons",
        lessons_of="Linden Court rent strike, 2019",
    )
    publish(lessons.versions.get(), "A faithful account, checked with the strike committee.")
    archive.set_tags(cam, lessons, ["rent strike", "lessons", "housing"])
    thread = Thread.objects.filter(organisation=organisation, faction__isnull=True).first()
    if thread is not None:
        archive.add_link(cam, lessons, target="thread", ref=str(thread.pk))

    clock.advance(hours=3)
    leaflet = archive.propose_document(
        ben,
        organisation,
        title="Leaflet: know your rights as a tenant",
        pdf=simple_pdf(LEAFLET_PAGES),
        pdf_name="tenant-rights.pdf",
    )
    publish(leaflet.versions.get(), "Our standard leaflet, as printed.")
    archive.set_tags(ben, leaflet, ["housing", "leaflets"])

    clock.advance(hours=2)
    notes = archive.propose_document(
        dana,
        organisation,
        title="Negotiating notes: Riverside landlord talks",
        text=(
            "Our opening demand is a 0% rent rise. We will settle for 2% with repairs "
            "completed within six months. Do not share outside the union."
        ),
        visibility="members",
    )
    publish(notes.versions.get(), "For members only while talks continue.")

    clock.advance(hours=4)
    refused = archive.propose_document(
        cam,
        organisation,
        title="Why we should back the mayor's housing plan",
        text="The plan is the best we will get this year; we should say so publicly.",
    )
    clock.advance(hours=2)
    decision = archive.decide(
        ana,
        refused.versions.get(),
        publish=False,
        reason=(
            "This argues a current position: it belongs in the debate, where members can "
            "answer it. The archive keeps records and lessons."
        ),
    )
    clock.advance(hours=1)
    archive.appeal_refusal(
        cam, decision, "Positions we took are part of our history too; this is one."
    )
    clock.advance(hours=1)
    archive.propose_document(
        ben,
        organisation,
        title="Minutes of the Riverside branch meeting",
        text="Present: 14 members. Agreed: a stall at the Saturday market.",
    )
