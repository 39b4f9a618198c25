"""Constitution templates a new organisation starts from.

Each is a complete version 1 that passes every guarantee as it stands
(``tests/test_presets.py`` proves it), so founders who change nothing still
adopt a democratic constitution; they may edit any value before adopting, and
the guarantees are checked again on what they adopt. The values follow common
practice of each kind of organisation: unions elect for longer terms and admit
by an officer, tenants' unions admit automatically and keep terms short.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tribune.constitution.models import AdmissionRule


@dataclass(frozen=True)
class Preset:
    slug: str
    name: str
    summary: str
    # Field values of ConstitutionVersion (version 1).
    values: dict = field(default_factory=dict)
    # Levels the founders are offered for their first branches, top to bottom.
    levels: tuple[str, ...] = ("national", "local")


def _office(key, title, mandate, *, powers=(), seats=1):
    # No term or term limit of its own: the constitution's, as the founders set them.
    return {
        "key": key,
        "title": title,
        "mandate": mandate,
        "powers": sorted(powers),
        "seats": seats,
        "electorate": {"kind": "members"},
        "method": "irv" if seats == 1 else "scottish-stv",
    }


def _structure(committee: str, seats: int, secretary: str, *, extra=()):
    """A committee elected by STV, a secretary by instant-runoff, and an appeals panel."""
    return [
        {
            "key": "committee",
            "name": committee,
            "kind": "committee",
            "branch": "",
            "description": "",
            "offices": [
                _office(
                    "member",
                    f"{committee}: member",
                    "Carry out the decisions of the members and their congress between "
                    "meetings, report to the members on what was done and not done, and "
                    "answer for it.",
                    powers=("convene_assemblies", "call_elections", "manage_branches"),
                    seats=seats,
                ),
                _office(
                    "secretary",
                    secretary,
                    "Keep the membership list and the records, admit members under the "
                    "constitution's rule, and see that meetings and elections happen on time.",
                    powers=("admit_members", "manage_standing", "view_member_contacts"),
                ),
                *extra,
            ],
        },
        {
            "key": "appeals",
            "name": "Appeals panel",
            "kind": "commission",
            "branch": "",
            "description": "Hears appeals against refused applications and suspensions.",
            "hears_appeals": True,
            "offices": [
                _office(
                    "member",
                    "Appeals panel member",
                    "Hear and decide appeals against refused applications and suspensions, "
                    "giving written reasons.",
                    seats=3,
                )
            ],
        },
    ]


_COMMON = {
    "nomination_days": 14,
    "voting_days": 14,
    "election_lead_days": 42,
    "recall_vote_days": 14,
    "faction_grace_days": 90,
    "factions_exclusive": False,
    "private_faction_membership": True,
    "amendment_majority_numerator": 2,
    "amendment_majority_denominator": 3,
}

PRESETS: dict[str, Preset] = {
    preset.slug: preset
    for preset in (
        Preset(
            slug="tenants-union",
            name=_("Tenants' union"),
            summary=_(
                "Building and neighbourhood branches; anyone who rents may join at once; "
                "short terms so that many tenants take their turn."
            ),
            values={
                **_COMMON,
                "preamble": (
                    "We organise as tenants to win secure, affordable and decent homes. Every "
                    "office is held in trust for the members: it has a written mandate, a "
                    "term limit, and can be recalled."
                ),
                "default_term_days": 365,
                "max_term_days": 365,
                "term_limit": 2,
                "recall_threshold_percent": Decimal("15"),
                "quorum_percent": Decimal("10"),
                "faction_threshold": 5,
                "admission_rule": AdmissionRule.AUTOMATIC,
                "seconders_required": 0,
                "structure": _structure("Coordinating committee", 5, "Secretary"),
            },
            levels=("city", "neighbourhood", "building"),
        ),
        Preset(
            slug="trade-union",
            name=_("Trade union"),
            summary=_(
                "Workplace branches within regions; admission by the membership officer; "
                "two-year terms, recall by a fifth of those who elected."
            ),
            values={
                **_COMMON,
                "preamble": (
                    "We are workers who organise together to win better pay and conditions "
                    "and a say over our work. No officer is above the members: every office "
                    "has a mandate, a term limit and can be recalled."
                ),
                "default_term_days": 730,
                "max_term_days": 730,
                "term_limit": 3,
                "recall_threshold_percent": Decimal("20"),
                "quorum_percent": Decimal("10"),
                "faction_threshold": 10,
                "admission_rule": AdmissionRule.OFFICER,
                "seconders_required": 1,
                "structure": _structure("National executive", 7, "General secretary"),
            },
            levels=("national", "regional", "workplace"),
        ),
        Preset(
            slug="political-party",
            name=_("Political party"),
            summary=_(
                "Local branches within regions; permanent factions with private membership; "
                "a congress adopts the programme; constitutional change by two thirds."
            ),
            values={
                **_COMMON,
                "preamble": (
                    "We are a party of our members. Its programme is theirs to change; its "
                    "offices are theirs to fill and to recall; members may organise in "
                    "permanent factions and debate openly all year round."
                ),
                "default_term_days": 730,
                "max_term_days": 730,
                "term_limit": 2,
                "recall_threshold_percent": Decimal("20"),
                "quorum_percent": Decimal("15"),
                "faction_threshold": 20,
                "admission_rule": AdmissionRule.OFFICER,
                "seconders_required": 2,
                "structure": _structure(
                    "National committee",
                    9,
                    "General secretary",
                    extra=[
                        _office(
                            "steward",
                            "Debate steward",
                            "Keep the members' debate open and civil under its published "
                            "rules, hiding only what breaks them, always with the reason.",
                            powers=("moderate_debate",),
                            seats=3,
                        )
                    ],
                ),
            },
            levels=("national", "regional", "local"),
        ),
        Preset(
            slug="federation",
            name=_("Federation of branches"),
            summary=_(
                "Independent branches that federate; branches admit their own members; "
                "one-year terms for federal offices; recall by a tenth."
            ),
            values={
                **_COMMON,
                "preamble": (
                    "We are a federation of branches that keep their own life and act "
                    "together on what we agree. The federation's offices serve the branches: "
                    "each has a mandate, a term limit, and can be recalled."
                ),
                "default_term_days": 365,
                "max_term_days": 730,
                "term_limit": 2,
                "recall_threshold_percent": Decimal("10"),
                "quorum_percent": Decimal("10"),
                "faction_threshold": 10,
                "admission_rule": AdmissionRule.OFFICER,
                "seconders_required": 0,
                "structure": _structure("Federal council", 5, "Federal secretary"),
            },
            levels=("federation", "branch"),
        ),
    )
}

# What founders may set for version 1: every rule of the constitution, none of
# the bookkeeping (number, dates, the appeals body, which founding creates).
BOOKKEEPING = frozenset(
    {
        "id",
        "organisation",
        "number",
        "adopted_at",
        "adopted_how",
        "appeal_body",
        "structure_provisional_until",
    }
)
# Rules that are not a single value: the structure has its own editor and its own
# comparison (``constitution.structure``).
COMPOUND = frozenset({"structure"})


def editable_fields() -> list[str]:
    """Names of the constitution's rules, in the model's order."""
    from tribune.constitution.models import ConstitutionVersion

    return [
        f.name
        for f in ConstitutionVersion._meta.concrete_fields
        if f.name not in BOOKKEEPING | COMPOUND
    ]
