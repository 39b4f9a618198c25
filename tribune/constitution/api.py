"""API: the constitution, every version (public)."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from tribune.api.types import Id, PathText
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


class ConstitutionDiffOut(Schema):
    old: int
    new: int
    rules: list[RuleChangeOut]
    preamble_changed: bool
    preamble_html: str


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
    }
