"""Public pages of organisations and branches."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from tribune.audit.models import AuditEntry
from tribune.members.models import Standing
from tribune.offices.models import Term
from tribune.organisations.models import Branch, Organisation
from tribune.web.helpers import organisation_and_viewer


def home(request):
    organisations = Organisation.objects.annotate(
        member_count=Count("members", filter=Q(members__standing=Standing.GOOD))
    )
    return render(request, "organisations/home.html", {"organisations": organisations})


def _branch_tree(organisation):
    """Branches as (branch, depth, members) in tree order, from two queries."""
    branches = list(
        organisation.branches.annotate(
            member_count=Count("members", filter=Q(members__standing=Standing.GOOD))
        )
    )
    children: dict[int | None, list[Branch]] = {}
    for branch in branches:
        children.setdefault(branch.parent_id, []).append(branch)
    ordered, stack = [], [(b, 0) for b in reversed(children.get(None, []))]
    while stack:
        branch, depth = stack.pop()
        ordered.append((branch, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(branch.id, [])))
    return ordered


def organisation(request, slug):
    organisation, viewer = organisation_and_viewer(request, slug)
    return render(
        request,
        "organisations/organisation.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "tree": _branch_tree(organisation),
            "constitution": organisation.current_constitution(),
            "member_count": organisation.members.filter(standing=Standing.GOOD).count(),
            "terms": Term.objects.current()
            .filter(office__body__organisation=organisation)
            .select_related("member", "office__body"),
            "recent": AuditEntry.objects.filter(organisation=organisation)[:8],
        },
    )


def branch(request, slug, branch_slug):
    organisation, viewer = organisation_and_viewer(request, slug)
    branch = get_object_or_404(Branch, organisation=organisation, slug=branch_slug)
    return render(
        request,
        "organisations/branch.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "branch": branch,
            "ancestors": list(reversed(branch.ancestors()[1:])),
            "children": branch.children.annotate(
                member_count=Count("members", filter=Q(members__standing=Standing.GOOD))
            ),
            "member_count": branch.members.filter(standing=Standing.GOOD).count(),
            "bodies": branch.bodies.prefetch_related("offices"),
        },
    )
