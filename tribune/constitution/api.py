"""API: the constitution, every version (public)."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t
from ninja import Field, Router, Schema, Status

from tribune.api.common import acting
from tribune.api.types import Id, PathText
from tribune.constitution import structure as structures
from tribune.constitution.changes import compare
from tribune.constitution.models import ConstitutionVersion
from tribune.organisations.models import Organisation

router = Router(tags=["constitution"])


class ConstitutionOut(Schema):
    number: int
    adopted_at: datetime
    adopted_how: str
    preamble: str
    default_term_days: int
    max_term_days: int
    term_limit: int
    recall_threshold_percent: str
    quorum_percent: str
    faction_threshold: int
    amendment_majority: str
    admission_rule: str
    appeal_body: str | None
    uncontested_returns: bool
    structure: list[dict]
    structure_provisional_until: datetime | None


def _out(v) -> dict:
    return {
        "number": v.number,
        "adopted_at": v.adopted_at,
        "adopted_how": v.adopted_how,
        "preamble": v.preamble,
        "default_term_days": v.default_term_days,
        "max_term_days": v.max_term_days,
        "term_limit": v.term_limit,
        "recall_threshold_percent": str(v.recall_threshold_percent),
        "quorum_percent": str(v.quorum_percent),
        "faction_threshold": v.faction_threshold,
        "amendment_majority": str(v.amendment_majority),
        "admission_rule": v.admission_rule,
        "appeal_body": v.appeal_body.slug if v.appeal_body else None,
        "uncontested_returns": v.uncontested_returns,
        "structure": v.structure or [],
        "structure_provisional_until": v.structure_provisional_until,
    }


@router.get("/{slug}/constitution", response=ConstitutionOut)
def current_constitution(request, slug: PathText):
    organisation = get_object_or_404(Organisation, slug=slug)
    return _out(organisation.current_constitution())


@router.get("/{slug}/constitution/versions", response=list[ConstitutionOut])
def constitution_versions(request, slug: PathText):
    organisation = get_object_or_404(Organisation, slug=slug)
    versions = organisation.constitution_versions.select_related("appeal_body")
    return [_out(v) for v in versions.order_by("number")]


class RuleChangeOut(Schema):
    field: str
    label: str
    before: str
    after: str


class StructureChangeOut(Schema):
    what: str
    body: str
    office: str
    details: list[list[str]]


class ConstitutionDiffOut(Schema):
    old: int
    new: int
    rules: list[RuleChangeOut]
    preamble_changed: bool
    preamble_html: str
    structure: list[StructureChangeOut]


@router.get("/{slug}/constitution/versions/{number}/diff", response=ConstitutionDiffOut)
def constitution_diff(request, slug: PathText, number: Id, against: Id | None = None):
    """What changed in version ``number`` since ``against`` (default: the version before)."""
    versions = ConstitutionVersion.objects.select_related("appeal_body").filter(
        organisation__slug=slug
    )
    new = get_object_or_404(versions, number=number)
    old = get_object_or_404(versions, number=number - 1 if against is None else against)
    comparison = compare(old, new)
    return {
        "old": old.number,
        "new": new.number,
        "rules": [vars(r) for r in comparison.rules],
        "preamble_changed": comparison.preamble_changed,
        "preamble_html": comparison.preamble_html,
        "structure": [
            {**vars(c), "details": [list(d) for d in c.details]} for c in comparison.structure
        ],
    }


class StructureIn(Schema):
    structure: list[dict] = Field(max_length=structures.MAX_BODIES)
    summary: str = Field(min_length=1, max_length=300)


class StructureProposalOut(Schema):
    adopted_version: int | None
    election_id: int | None
    message: str


@router.post("/{slug}/constitution/structure", response={201: StructureProposalOut})
def propose_structure(request, slug: PathText, payload: StructureIn):
    """Set up the structure (the provisional committee) or put a new one to a referendum.

    The whole structure as it should be; the response says which happened.
    """
    from tribune.constitution.models import ConstitutionVersion
    from tribune.elections.amendments import change_structure
    from tribune.lib.inputs import clean_text

    organisation, actor = acting(request, slug)
    summary = clean_text(payload.summary, field="summary", max_length=300)
    outcome = change_structure(actor, organisation, payload.structure, summary=summary)
    if isinstance(outcome, ConstitutionVersion):
        return Status(
            201,
            {
                "adopted_version": outcome.number,
                "election_id": None,
                "message": _t("Version %(n)s of the constitution records the change.")
                % {"n": outcome.number},
            },
        )
    return Status(
        201,
        {
            "adopted_version": None,
            "election_id": outcome.pk,
            "message": _t("The change is put to the members' vote."),
        },
    )


@router.post("/{slug}/constitution/structure/to-members", response={201: StructureProposalOut})
def structure_to_members(request, slug: PathText):
    """Ask the members to adopt the provisional committee's structure (a referendum)."""
    from tribune.elections.amendments import put_structure_to_members

    organisation, actor = acting(request, slug)
    election = put_structure_to_members(actor, organisation)
    return Status(
        201,
        {
            "adopted_version": None,
            "election_id": election.pk,
            "message": _t("The structure is put to the members' vote."),
        },
    )
