"""API: bodies, offices with their mandates and powers, and current terms (public)."""

from datetime import datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from tribune.api.types import PathText
from tribune.offices.models import Body, Office, Term
from tribune.organisations.models import Organisation

router = Router(tags=["offices"])


class TermOut(Schema):
    id: int
    member_id: int
    member_name: str
    starts_at: datetime
    ends_at: datetime
    source: str


class OfficeOut(Schema):
    id: int
    title: str
    mandate: str
    powers: list[str]
    term_days: int
    seats: int
    current_terms: list[TermOut]


class BodyOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    branch: str
    offices: list[OfficeOut]


@router.get("/{slug}/bodies", response=list[BodyOut])
def list_bodies(request, slug: PathText):
    organisation = get_object_or_404(Organisation, slug=slug)
    current = Term.objects.current().select_related("member")
    bodies = (
        Body.objects.filter(organisation=organisation)
        .select_related("branch")
        .prefetch_related(
            Prefetch(
                "offices",
                queryset=Office.objects.prefetch_related(
                    Prefetch("terms", queryset=current, to_attr="current")
                ),
            )
        )
    )
    return [
        {
            "id": b.id,
            "slug": b.slug,
            "name": b.name,
            "kind": b.kind,
            "branch": b.branch.slug,
            "offices": [
                {
                    "id": o.id,
                    "title": o.title,
                    "mandate": o.mandate,
                    "powers": o.powers,
                    "term_days": o.term_days,
                    "seats": o.seats,
                    "current_terms": [
                        {
                            "id": t.id,
                            "member_id": t.member_id,
                            "member_name": t.member.name,
                            "starts_at": t.starts_at,
                            "ends_at": t.ends_at,
                            "source": t.source,
                        }
                        for t in o.current
                    ],
                }
                for o in b.offices.all()
            ],
        }
        for b in bodies
    ]
