"""Pages to plan outside any struggle: a pledge, an event or a task of the organisation
or of one branch, and the sign-up buttons of tasks and shifts.

The owner offered is what the viewer's mandate reaches (the whole organisation
for an office of the top body, its branches below for a branch's); the service
checks the mandate again when the form is sent.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.lib.errors import NotPermitted
from tribune.struggles import rules
from tribune.struggles.forms import OwnedEventForm, OwnedPledgeForm, OwnedTaskForm
from tribune.struggles.models import Task
from tribune.struggles.services import events, pledges, tasks
from tribune.struggles.views import (
    _branch_choices,
    _Owner,
    _run_branches,
    bodies,
    event_options,
    pledge_options,
    task_options,
)
from tribune.web.helpers import attempt, organisation_and_viewer


def _owners(viewer, organisation) -> tuple[bool, list]:
    """(may act for the whole organisation, the branches the viewer's mandate reaches)."""
    whole = rules.may_run(viewer, _Owner(organisation, None))
    branches = _branch_choices(organisation) if whole else _run_branches(viewer, organisation)
    if not whole and not branches:
        raise NotPermitted(_t("Only members whose mandate includes running struggles can do this."))
    return whole, branches


def _render(request, organisation, viewer, form, what: str, status: int = 200) -> HttpResponse:
    headings = {
        "pledge": _t("Open a pledge"),
        "event": _t("Plan an event"),
        "task": _t("Set a task or a shift"),
    }
    return render(
        request,
        "struggles/plan.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "form": form,
            "what": what,
            "heading": headings[what],
        },
        status=status,
    )


@login_required
def pledge_new(request: HttpRequest, slug: str) -> HttpResponse:
    """A pledge of the organisation or a branch, tied to no struggle."""
    organisation, viewer = organisation_and_viewer(request, slug)
    whole, branches = _owners(viewer, organisation)
    form = OwnedPledgeForm(
        request.POST or None, branches=branches, whole=whole, bodies=bodies(organisation)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        options = pledge_options(d)
        made = attempt(
            form,
            lambda: pledges.create_pledge(
                viewer, organisation, branch=d["branch"] or None, **options
            ),
        )
        if made is not None:
            messages.success(request, _t("The pledge is open."))
            return redirect("web:pledge", organisation.slug, made.pk)
    return _render(request, organisation, viewer, form, "pledge", 400 if form.errors else 200)


@login_required
def event_new(request: HttpRequest, slug: str) -> HttpResponse:
    """An event of the organisation or a branch (a meeting, a study session), no struggle."""
    organisation, viewer = organisation_and_viewer(request, slug)
    whole, branches = _owners(viewer, organisation)
    form = OwnedEventForm(request.POST or None, branches=branches, whole=whole)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        made = attempt(
            form,
            events.create_event,
            viewer,
            organisation,
            branch=d["branch"] or None,
            visibility=d["visibility"],
            **event_options(d),
        )
        if made is not None:
            messages.success(request, _t("The event is planned."))
            return redirect("web:event", organisation.slug, made.pk)
    return _render(request, organisation, viewer, form, "event", 400 if form.errors else 200)


@login_required
def task_new(request: HttpRequest, slug: str) -> HttpResponse:
    """A task or a shift of the organisation or a branch, outside any struggle or event."""
    organisation, viewer = organisation_and_viewer(request, slug)
    whole, branches = _owners(viewer, organisation)
    form = OwnedTaskForm(request.POST or None, branches=branches, whole=whole)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        made = attempt(
            form,
            tasks.create_task,
            viewer,
            organisation,
            branch=d["branch"] or None,
            visibility=d["visibility"],
            **task_options(d),
        )
        if made is not None:
            messages.success(request, _t("The task is set."))
            return redirect(_back(made))
    return _render(request, organisation, viewer, form, "task", 400 if form.errors else 200)


def _back(task: Task) -> str:
    """Where a task is shown: its event's page, its struggle's, or the struggles page."""
    from django.urls import reverse

    slug = task.organisation.slug
    if task.event_id:
        return reverse("web:event", args=[slug, task.event_id]) + "#tasks"
    if task.struggle_id:
        return reverse("web:struggle", args=[slug, task.struggle_id]) + "#tasks"
    return reverse("web:struggles", args=[slug]) + "#tasks"


@login_required
@require_POST
def task_action(request: HttpRequest, slug: str, task_id: int, action: str) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    task = get_object_or_404(
        Task.objects.select_related("organisation", "branch"), organisation=organisation, pk=task_id
    )
    rules.require_visible(viewer, task)
    if action == "signup":
        tasks.sign_up(viewer, task)
        messages.success(request, _t("You are signed up."))
    elif action == "withdraw":
        tasks.withdraw(viewer, task)
        messages.success(request, _t("You are no longer signed up."))
    else:
        tasks.mark_done(viewer, task)
        messages.success(request, _t("Marked done."))
    return redirect(_back(task))
