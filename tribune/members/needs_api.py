"""API: what needs the caller now, across their organisations (the home page's list)."""

from datetime import datetime

from ninja import Router, Schema

from tribune.api.common import require_login
from tribune.members.needs import needs_of

router = Router(tags=["members"])


class NeedOut(Schema):
    organisation: str  # the organisation's slug
    # vote, nomination, recall, recall_reply, assembly, report, applications, appeals,
    # debate_appeals, certify
    kind: str
    label: str
    title: str
    url: str
    deadline: datetime | None
    time_zone: str  # the organisation's, in which its pages show the deadline
    officer: bool


@router.get("/needs", response=list[NeedOut], url_name="my_needs")
def my_needs(request):
    """Everything that needs the caller now, soonest deadline first; officers' decisions last."""
    require_login(request)
    return [
        {
            "organisation": n.organisation.slug,
            "kind": n.kind,
            "label": n.label,
            "title": n.title,
            "url": request.build_absolute_uri(n.url),
            "deadline": n.deadline,
            "time_zone": n.organisation.time_zone,
            "officer": n.officer,
        }
        for n in needs_of(request.user)
    ]
