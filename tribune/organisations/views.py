"""Public pages of organisations and branches."""

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from tribune.audit.models import AuditEntry
from tribune.members.models import Standing
from tribune.offices.models import Term
from tribune.offices.rules import has_power
from tribune.organisations.models import Branch, Organisation
from tribune.organisations.services import create_branch
from tribune.web.helpers import attempt, organisation_and_viewer


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


class NewBranchForm(forms.Form):
    name = forms.CharField(label=_("Name of the new branch"), max_length=200)
    level = forms.CharField(label=_("Level (e.g. regional, local)"), max_length=50)


def branch(request, slug, branch_slug):
    organisation, viewer = organisation_and_viewer(request, slug)
    branch = get_object_or_404(Branch, organisation=organisation, slug=branch_slug)
    can_add = has_power(viewer, "manage_branches", branch)
    form = NewBranchForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            child = attempt(
                form,
                create_branch,
                viewer,
                branch,
                name=form.cleaned_data["name"],
                level=form.cleaned_data["level"],
            )
            if child is not None:
                return redirect(child)
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
            "form": form if can_add or form.errors else None,
        },
        status=400 if form.errors else 200,
    )
