"""The demo organisation: branches, ~200 members, a provisional committee, pending business.

Built through the same actions a real organisation uses, so the demo's audit
log verifies and every page shows something real. Deterministic (fixed seed).
"""

import random
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from tribune.audit.models import AuditEntry
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
    organisation = Organisation.objects.filter(slug=SLUG).first()
    if organisation is None:
        return
    with transaction.atomic():
        # The only place Tribune removes audit entries: the demo is wiped whole.
        AuditEntry.objects.filter(organisation=organisation)._raw_delete("default")
        organisation.delete()


@transaction.atomic
def create_demo(members: int = 200) -> Organisation:
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
    suspended = Member.objects.filter(organisation=organisation, standing=Standing.GOOD).last()
    change = services.suspend_member(
        ana, suspended, "Repeatedly ignored the branch's safeguarding policy at meetings."
    )
    services.lodge_appeal(suspended, change, "I was not told of the complaint or heard.")
    return organisation
