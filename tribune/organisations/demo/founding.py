"""Founding the demo organisation: its constitution, founders, branches, ~200 members,
pending applications, a suspension under appeal, and the provisional committee's
first structure of bodies and offices.
"""

import random
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model

from tribune.constitution.models import AdmissionRule
from tribune.members import services
from tribune.members.models import Member, Standing
from tribune.organisations.models import Organisation
from tribune.organisations.services import create_branch, found_organisation

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
