"""Public pages of organisations and branches."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from tribune.audit.models import AuditEntry
from tribune.constitution.presets import PRESETS
from tribune.elections.transition import transition
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members import history
from tribune.members.models import Member, Standing
from tribune.members.needs import needs_of
from tribune.offices.models import Term
from tribune.offices.rules import has_power, officer_pages
from tribune.organisations import founding
from tribune.organisations.forms import AcceptForm, FoundForm
from tribune.organisations.models import Branch, Organisation
from tribune.organisations.services import create_branch
from tribune.web.helpers import attempt, organisation_and_viewer


def home(request):
    """A member's home: what needs them now, their organisations, then the others here."""
    # Each organisation's count from the members' index (organisation, standing, …),
    # not a join of every member of every organisation grouped (0.14 s at 100,000).
    organisations = Organisation.objects.annotate(
        member_count=Coalesce(
            Subquery(
                # COUNT without GROUP BY: one index range per organisation.
                Member.objects.filter(organisation=OuterRef("pk"), standing=Standing.GOOD)
                .order_by()
                .values(n=Func("pk", function="COUNT"))
            ),
            0,
        )
    )
    mine: dict[int, object] = {}
    if request.user.is_authenticated:
        mine = {
            m.organisation_id: m
            for m in Member.objects.filter(user=request.user).exclude(
                standing__in=[Standing.RESIGNED, Standing.REFUSED]
            )
        }
    organisations = list(organisations)
    return render(
        request,
        "organisations/home.html",
        {
            "needs": needs_of(request.user),
            "mine": [(o, mine[o.pk]) for o in organisations if o.pk in mine],
            "organisations": [o for o in organisations if o.pk not in mine],
            "founding_mode": founding.founding_mode(),
            "invitations": founding.invitations_for(request.user),
        },
    )


def _branch_tree(organisation):
    """The top two levels of branches as (branch, depth), each with its members, in tree
    order, from one query. An organisation of 500 branches listed them all on its home
    page; each branch's page lists the branches within it."""
    branches = list(
        organisation.branches.filter(
            Q(parent__isnull=True) | Q(parent__parent__isnull=True)
        ).annotate(member_count=Count("members", filter=Q(members__standing=Standing.GOOD)))
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
            # As public as the count above; small figures suppressed (members.history).
            "membership_chart": history.chart(organisation),
            "terms": Term.objects.current()
            .filter(office__body__organisation=organisation)
            .select_related("member", "office__body"),
            "recent": AuditEntry.objects.filter(organisation=organisation)[:8],
            "transition": transition(organisation),
            "may": officer_pages(viewer, organisation),
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
            "children": branch.children.select_related("organisation").annotate(
                member_count=Count("members", filter=Q(members__standing=Standing.GOOD))
            ),
            "member_count": branch.members.filter(standing=Standing.GOOD).count(),
            "membership_chart": history.chart(organisation, branch),
            "bodies": branch.bodies.prefetch_related("offices"),
            "form": form if can_add or form.errors else None,
        },
        status=400 if form.errors else 200,
    )


def _founding_field(form, field: str) -> str | None:
    """The form field a founding refusal names (constitution rules carry a prefix)."""
    for candidate in (field, f"c_{field}"):
        if candidate in form.fields:
            return candidate
    return None


@login_required
def found(request):
    """Found an organisation: a template to start from, edited before it is adopted."""
    mode = founding.founding_mode()
    preset = request.POST.get("preset") or request.GET.get("preset") or "tenants-union"
    if preset not in PRESETS:
        preset = "tenants-union"
    form = FoundForm(request.POST or None, preset=preset)
    if request.method == "POST" and mode != "closed":
        if form.is_valid():
            try:
                founded = founding.request_founding(request.user, **form.founding_arguments())
            except NotPermitted:
                raise
            except RuleViolation as exc:
                form.add_error(_founding_field(form, exc.field), exc.message)
            else:
                if founded.organisation is not None:
                    messages.success(
                        request,
                        _t("%(name)s is founded. Its provisional committee is you.")
                        % {"name": founded.name},
                    )
                    return redirect(founded.organisation)
                messages.success(
                    request,
                    _t("Your request is with the server's operator, who will approve it."),
                )
                return redirect("web:found")
    return render(
        request,
        "organisations/found.html",
        {
            "form": form,
            "mode": mode,
            "presets": PRESETS.values(),
            "preset": PRESETS[preset],
            "requests": request.user.founding_requests.all()[:20],
        },
        status=400 if form.errors else 200,
    )


@login_required
def invitations(request):
    """Founding invitations addressed to the user's verified email addresses."""
    open_invitations = founding.invitations_for(request.user)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen = next(
            (i for i in open_invitations if str(i.pk) == request.POST.get("invitation")), None
        )
        if chosen is None:
            form.add_error(None, _t("This invitation is not open to you."))
        else:
            member = attempt(
                form,
                founding.accept_invitation,
                request.user,
                chosen,
                name=form.cleaned_data["name"],
            )
            if member is not None:
                messages.success(
                    request,
                    _t("You are a founding member of %(name)s.") % {"name": chosen.organisation},
                )
                return redirect(chosen.organisation)
    return render(
        request,
        "organisations/invitations.html",
        {"invitations": open_invitations, "form": form},
        status=400 if form.errors else 200,
    )
