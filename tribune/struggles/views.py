"""Struggle pages: struggles and their timelines, pledges, events, solidarity, calendars.

Views parse the request and call the services; who may do what is decided
there (an organiser's forms are offered only to those whose mandate reaches
the struggle, and checked again when used). Who pledged is never shown to
anyone but the pledger: pages show the count and the viewer's own pledge.
"""

import zoneinfo
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.lib.errors import NotPermitted
from tribune.struggles import calendar, rules
from tribune.struggles.forms import (
    AttendanceForm,
    CancelForm,
    EventChangeForm,
    EventForm,
    PledgeForm,
    RemindForm,
    RespondForm,
    SolidarityForm,
    StruggleForm,
    TaskForm,
    UpdateForm,
)
from tribune.struggles.models import (
    Event,
    Pledge,
    SignupState,
    SolidarityRequest,
    Struggle,
)
from tribune.struggles.services import events, notices, pledges, solidarity, tasks
from tribune.struggles.services import struggles as struggle_services
from tribune.web.helpers import attempt, organisation_and_viewer


def _get(model, organisation, pk, viewer):
    obj = get_object_or_404(
        model.objects.select_related("organisation", "branch"), organisation=organisation, pk=pk
    )
    if not rules.may_see(viewer, obj):
        raise Http404
    return obj


def _organiser(viewer, obj):
    rules.mandate(viewer, obj, obj.organisation)


def _branch_choices(organisation):
    return [(b.slug, b.name) for b in organisation.branches.exclude(parent=None)]


def _run_branches(viewer, organisation):
    """The branches the viewer's mandate reaches (for the "run by" choice)."""
    reached = rules.branches_run(viewer, organisation)
    return [(b.slug, b.name) for b in organisation.branches.exclude(parent=None) if b.pk in reached]


class _Owner:
    def __init__(self, organisation, branch):
        self.organisation, self.organisation_id = organisation, organisation.pk
        self.branch = branch


def bodies(organisation) -> list[tuple[str, str]]:
    """The bodies that may hold a pledge's second key (by short name)."""
    from tribune.offices.models import Body

    found = Body.objects.filter(organisation=organisation, abolished_at__isnull=True)
    return list(found.values_list("slug", "name"))


def pledge_options(d: dict) -> dict:
    """A pledge form's cleaned data as ``create_pledge``'s keyword arguments."""
    return {
        "action": d["action"],
        "threshold": d["threshold"],
        "deadline": d["deadline"],
        "unit": d["unit"],
        "details": d["details"],
        "follow_up_days": d["follow_up_days"],
        "units": d["units"],
        "second_key": d["second_key"] or "",
        "decider": d["decider"] or None,
        "decide_hours": d["decide_hours"],
    }


def event_options(d: dict) -> dict:
    """An event form's cleaned data as ``create_event``'s keyword arguments (but its owner
    and visibility), the times read in the event's own time zone."""
    return {
        "title": d["title"],
        "kind": d["kind"],
        "starts_at": _in_zone(d["starts_at"], d["time_zone"]),
        "ends_at": _in_zone(d["ends_at"], d["time_zone"]),
        "time_zone": d["time_zone"],
        "place": d["place"],
        "link_": d["link"],
        "capacity": d["capacity"],
        "description": d["description"],
    }


def task_options(d: dict) -> dict:
    return {
        "title": d["title"],
        "min_people": d["min_people"],
        "max_people": d["max_people"],
        "starts_at": d["starts_at"],
        "ends_at": d["ends_at"],
        "details": d["details"],
    }


def _page(request, template, organisation, viewer, status=200, **context):
    return render(
        request,
        template,
        {"organisation": organisation, "viewer": viewer, **context},
        status=status,
    )


def _in_zone(value, zone_name):
    """A wall-clock time typed in a form, read in the event's own time zone."""
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return value  # the service names the bad time zone
    return timezone.make_naive(value).replace(tzinfo=zone) if value else value


# --- struggles ------------------------------------------------------------------------------


def struggles(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    now = timezone.now()
    return _page(
        request,
        "struggles/list.html",
        organisation,
        viewer,
        struggles=struggle_services.visible_struggles(viewer, organisation),
        pledges=pledges.visible_pledges(viewer, organisation).filter(
            deadline__gt=now - timedelta(days=30)
        ),
        events=events.visible_events(viewer, organisation).filter(ends_at__gt=now)[:20],
        tasks=tasks.visible_tasks(viewer, organisation)
        .filter(struggle__isnull=True, event__isnull=True, done_at__isnull=True)
        .prefetch_related("signups__member")[:50],
        my_tasks=tasks.mine(viewer, tasks.visible_tasks(viewer, organisation)),
        runs=rules.may_run(viewer, _Owner(organisation, None)),
        # A branch organiser runs that branch's tasks here too (marks them done, sees who).
        run_branch_ids=rules.branches_run(viewer, organisation),
        may_start=rules.may_run(viewer, _Owner(organisation, None))
        or bool(_run_branches(viewer, organisation)),
    )


@login_required
def struggle_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    whole = rules.may_run(viewer, _Owner(organisation, None))
    branches = _branch_choices(organisation) if whole else _run_branches(viewer, organisation)
    if not whole and not branches:
        raise NotPermitted(_t("Only members whose mandate includes running struggles can do this."))
    sections = struggle_services.programme_sections(organisation)
    form = StruggleForm(request.POST or None, branches=branches, sections=sections.items())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        struggle = attempt(
            form,
            struggle_services.start_struggle,
            viewer,
            organisation,
            title=data["title"],
            summary=data["summary"],
            branch=data["branch"] or None,
            status=data["status"],
            visibility=data["visibility"],
            programme=data["programme"],
        )
        if struggle is not None:
            messages.success(request, _t("The struggle is started."))
            return redirect("web:struggle", organisation.slug, struggle.pk)
    return _page(
        request,
        "struggles/new.html",
        organisation,
        viewer,
        form=form,
        status=400 if form.errors else 200,
    )


def _struggle_context(struggle, viewer, **forms):
    organisation = struggle.organisation
    runs = rules.may_run(viewer, struggle)
    sections = struggle_services.programme_sections(organisation)
    branches = _branch_choices(organisation)
    return {
        "struggle": struggle,
        "sections": [(k, sections.get(k, k)) for k in struggle.programme_keys],
        "updates": struggle_services.visible_updates(viewer, struggle),
        "pledges": struggle.pledges.all(),
        "events": events.visible_events(viewer, organisation).filter(struggle=struggle),
        "requests": struggle.solidarity_requests.all(),
        "tasks": struggle.tasks.filter(event__isnull=True).prefetch_related("signups__member"),
        "my_tasks": tasks.mine(viewer, struggle.tasks.all()),
        "runs": runs,
        "update_form": forms.get("update") or (UpdateForm() if runs else None),
        "pledge_form": forms.get("pledge")
        or (PledgeForm(bodies=bodies(organisation)) if runs else None),
        "task_form": forms.get("task") or (TaskForm() if runs else None),
        "event_form": forms.get("event") or (EventForm() if runs else None),
        "solidarity_form": forms.get("solidarity")
        or (SolidarityForm(branches=branches) if runs else None),
    }


def struggle(request: HttpRequest, slug: str, struggle_id: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    obj = _get(Struggle, organisation, struggle_id, viewer)
    return _page(
        request, "struggles/struggle.html", organisation, viewer, **_struggle_context(obj, viewer)
    )


@login_required
@require_POST
def struggle_action(request: HttpRequest, slug: str, struggle_id: int, action: str):
    organisation, viewer = organisation_and_viewer(request, slug)
    obj = _get(Struggle, organisation, struggle_id, viewer)
    _organiser(viewer, obj)
    done, form = None, None
    if action == "update":
        form = UpdateForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            done = attempt(
                form,
                struggle_services.post_update,
                viewer,
                obj,
                text_=d["text"],
                visibility=d["visibility"],
                status=d["status"],
                lessons_link=d["lessons_link"],
            )
    elif action == "pledge":
        form = PledgeForm(request.POST, bodies=bodies(organisation))
        if form.is_valid():
            options = pledge_options(form.cleaned_data)
            done = attempt(
                form,
                lambda: pledges.create_pledge(viewer, organisation, struggle=obj, **options),
            )
    elif action == "task":
        form = TaskForm(request.POST)
        if form.is_valid():
            done = attempt(
                form,
                tasks.create_task,
                viewer,
                organisation,
                struggle=obj,
                **task_options(form.cleaned_data),
            )
    elif action == "event":
        form = EventForm(request.POST)
        if form.is_valid():
            done = attempt(
                form,
                events.create_event,
                viewer,
                organisation,
                struggle=obj,
                visibility=obj.visibility,
                **event_options(form.cleaned_data),
            )
    else:  # solidarity
        form = SolidarityForm(request.POST, branches=_branch_choices(organisation))
        if form.is_valid():
            d = form.cleaned_data
            done = attempt(
                form,
                solidarity.ask,
                viewer,
                obj,
                kind=d["kind"],
                title=d["title"],
                quantity=d["quantity"],
                deadline=d["deadline"],
                on_date=d["on_date"],
                branches=d["branches"],
                details=d["details"],
            )
    if done is not None:
        messages.success(request, _t("Done."))
        return redirect("web:struggle", organisation.slug, obj.pk)
    return _page(
        request,
        "struggles/struggle.html",
        organisation,
        viewer,
        status=400,
        **_struggle_context(obj, viewer, **{action: form}),
    )


# --- pledges --------------------------------------------------------------------------------


def pledge(request: HttpRequest, slug: str, pledge_id: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    obj = _get(Pledge, organisation, pledge_id, viewer)
    pledges.settle(obj)  # a missed deadline is told when read, worker or not
    state = obj.state()
    return _page(
        request,
        "struggles/pledge.html",
        organisation,
        viewer,
        pledge=obj,
        state=state,
        units=pledges.unit_counts(obj),
        decides=pledges.may_decide(viewer, obj),
        mine=pledges.own_commitment(viewer, obj),
    )


def pledge_count(request: HttpRequest, slug: str, pledge_id: int) -> HttpResponse:
    """The count and state alone: the page polls it, so a trigger shows without reloading."""
    organisation, viewer = organisation_and_viewer(request, slug)
    obj = _get(Pledge, organisation, pledge_id, viewer)
    return render(request, "struggles/_pledge_count.html", {"pledge": obj, "state": obj.state()})


@login_required
@require_POST
def pledge_action(request: HttpRequest, slug: str, pledge_id: int, action: str):
    organisation, viewer = organisation_and_viewer(request, slug)
    obj = _get(Pledge, organisation, pledge_id, viewer)
    if action == "pledge":
        pledges.make_pledge(viewer, obj, unit=request.POST.get("unit") or None)
        messages.success(request, _t("You have pledged. Only you can see that you did."))
    elif action == "go":
        pledges.decide_go(viewer, obj, request.POST.get("go") == "yes")
        messages.success(request, _t("The decision is recorded and told to everyone who pledged."))
    elif action == "vote":
        pledges.vote_go(viewer, obj, request.POST.get("go") == "yes")
        messages.success(request, _t("Your vote is counted. Only you can see how you voted."))
    elif action == "withdraw":
        pledges.withdraw(viewer, obj)
        messages.success(request, _t("Your pledge is withdrawn."))
    else:
        pledges.report_acted(viewer, obj, request.POST.get("acted") == "yes")
        messages.success(request, _t("Thank you for telling us."))
    return redirect("web:pledge", organisation.slug, obj.pk)


# --- events ---------------------------------------------------------------------------------


def event(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    obj = _get(Event, organisation, event_id, viewer)
    return _event_page(request, obj, viewer)


def _event_page(request, obj, viewer, status=200, **forms):
    runs = rules.may_run(viewer, obj)
    mine = obj.signups.filter(member=viewer).first() if viewer else None
    zone = zoneinfo.ZoneInfo(obj.time_zone)
    return _page(
        request,
        "struggles/event.html",
        obj.organisation,
        viewer,
        status=status,
        event=obj,
        mine=mine,
        runs=runs,
        taken=obj.signups.count(),
        local_start=obj.starts_at.astimezone(zone),
        local_end=obj.ends_at.astimezone(zone),
        signups=obj.signups.select_related("member").order_by("member__name") if runs else None,
        states=SignupState.choices,
        tasks=obj.tasks.prefetch_related("signups__member"),
        my_tasks=tasks.mine(viewer, obj.tasks.all()),
        task_form=forms.get("task") or (TaskForm() if runs else None),
        change_form=forms.get("change")
        or (
            EventChangeForm(
                initial={
                    "starts_at": obj.starts_at.astimezone(zone).replace(tzinfo=None),
                    "ends_at": obj.ends_at.astimezone(zone).replace(tzinfo=None),
                    "time_zone": obj.time_zone,
                    "place": obj.place,
                    "link": obj.link,
                }
            )
            if runs
            else None
        ),
        cancel_form=forms.get("cancel") or (CancelForm() if runs else None),
        remind_form=forms.get("remind") or (RemindForm() if runs else None),
    )


@login_required
@require_POST
def event_action(request: HttpRequest, slug: str, event_id: int, action: str):
    organisation, viewer = organisation_and_viewer(request, slug)
    obj = _get(Event, organisation, event_id, viewer)
    if action == "signup":
        events.sign_up(viewer, obj)
        messages.success(request, _t("You are signed up."))
        return redirect("web:event", organisation.slug, obj.pk)
    if action == "withdraw":
        events.withdraw_signup(viewer, obj)
        messages.success(request, _t("You are no longer signed up."))
        return redirect("web:event", organisation.slug, obj.pk)
    _organiser(viewer, obj)
    done, form = None, None
    if action == "change":
        form = EventChangeForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            zone = d["time_zone"] or obj.time_zone
            done = attempt(
                form,
                events.change_event,
                viewer,
                obj,
                title=d["title"] or None,
                starts_at=_in_zone(d["starts_at"], zone),
                ends_at=_in_zone(d["ends_at"], zone),
                time_zone=d["time_zone"],
                place=d["place"],
                link=d["link"],
                capacity=d["capacity"],
                description=d["description"] or None,
            )
    elif action == "cancel":
        form = CancelForm(request.POST)
        if form.is_valid():
            done = attempt(form, events.cancel_event, viewer, obj, form.cleaned_data["reason"])
    elif action == "task":
        form = TaskForm(request.POST)
        if form.is_valid():
            done = attempt(
                form,
                tasks.create_task,
                viewer,
                organisation,
                event=obj,
                **task_options(form.cleaned_data),
            )
    elif action == "remind":
        form = RemindForm(request.POST)
        if form.is_valid():
            done = attempt(form, events.remind_now, viewer, obj, form.cleaned_data["message"])
    else:  # attendance
        form = AttendanceForm(request.POST)
        if form.is_valid():
            done = attempt(
                form,
                events.mark_attendance,
                viewer,
                obj,
                form.cleaned_data["member_id"],
                form.cleaned_data["state"],
            )
    if done is not None:
        messages.success(request, _t("Done."))
        return redirect("web:event", organisation.slug, obj.pk)
    return _event_page(request, obj, viewer, status=400, **{action: form})


# --- solidarity -----------------------------------------------------------------------------


def _answerable(viewer, request_obj):
    return [
        (b.slug, b.name)
        for b in request_obj.asked_branches.all()
        if rules.may_run(viewer, _Owner(request_obj.organisation, b))
    ]


def solidarity_request(request: HttpRequest, slug: str, request_id: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    obj = _get(SolidarityRequest, organisation, request_id, viewer)
    return _solidarity_page(request, obj, viewer)


def _solidarity_page(request, obj, viewer, status=200, form=None):
    branches = _answerable(viewer, obj)
    return _page(
        request,
        "struggles/solidarity.html",
        obj.organisation,
        viewer,
        status=status,
        req=obj,
        state=obj.current_status(),
        total=solidarity.pledged(obj),
        responses=obj.responses.all(),
        runs=rules.may_run(viewer, obj),
        form=form or (RespondForm(branches=branches) if branches else None),
        uri=solidarity.as_activity(obj)["id"],
    )


@login_required
@require_POST
def solidarity_action(request: HttpRequest, slug: str, request_id: int, action: str):
    organisation, viewer = organisation_and_viewer(request, slug)
    obj = _get(SolidarityRequest, organisation, request_id, viewer)
    if action == "close":
        solidarity.close(viewer, obj)
        return redirect("web:solidarity", organisation.slug, obj.pk)
    branches = _answerable(viewer, obj)
    if not branches:
        raise NotPermitted(_t("Only officers of a branch asked can answer for it."))
    form = RespondForm(request.POST, branches=branches)
    if form.is_valid():
        d = form.cleaned_data
        if (
            attempt(
                form,
                solidarity.respond,
                viewer,
                obj,
                branch=d["branch"],
                amount=d["amount"],
                note=d["note"],
            )
            is not None
        ):
            messages.success(request, _t("Your commitment is recorded."))
            return redirect("web:solidarity", organisation.slug, obj.pk)
    return _solidarity_page(request, obj, viewer, status=400, form=form)


# --- calendars and notices ------------------------------------------------------------------


def _ics(events_, name: str) -> HttpResponse:
    response = HttpResponse(
        calendar.feed(events_, name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    return response


def calendar_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's public events (a feed has no login: members-only events stay out)."""
    organisation, _viewer = organisation_and_viewer(request, slug)
    return _ics(events.visible_events(None, organisation), organisation.name)


def branch_calendar(request: HttpRequest, slug: str, branch_slug: str) -> HttpResponse:
    organisation, _viewer = organisation_and_viewer(request, slug)
    branch = get_object_or_404(organisation.branches, slug=branch_slug)
    ids = branch.subtree_ids()
    return _ics(
        events.visible_events(None, organisation).filter(branch_id__in=ids),
        f"{organisation.name}: {branch.name}",
    )


def struggle_calendar(request: HttpRequest, slug: str, struggle_id: int) -> HttpResponse:
    organisation, _viewer = organisation_and_viewer(request, slug)
    obj = _get(Struggle, organisation, struggle_id, None)
    return _ics(events.visible_events(None, organisation).filter(struggle=obj), obj.title)


def personal_calendar(request: HttpRequest, token: str) -> HttpResponse:
    member = events.member_for_token(token)
    if member is None:
        raise Http404
    return _ics(events.personal_events(member), _t("My Tribune events"))


@login_required
def my_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    if viewer is None or not viewer.in_good_standing:
        raise NotPermitted(_t("Only members in good standing have a personal calendar."))
    address = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            events.revoke_calendar_token(viewer)
            messages.success(request, _t("Your calendar address no longer works."))
            return redirect("web:my_calendar", organisation.slug)
        token = events.new_calendar_token(viewer)
        address = request.build_absolute_uri(reverse("web:personal_calendar", args=[token]))
    from tribune.struggles.models import CalendarToken

    active = CalendarToken.objects.filter(member=viewer, revoked_at__isnull=True).exists()
    return _page(
        request, "struggles/my_calendar.html", organisation, viewer, address=address, active=active
    )


@login_required
def my_notices(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    if viewer is None:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    if request.method == "POST":
        if "email" in request.POST:
            notices.set_email_preference(viewer, request.POST["email"])
            messages.success(request, _t("Saved."))
        else:
            notices.mark_read(viewer)
        return redirect("web:my_notices", organisation.slug)
    from tribune.struggles.models import EmailChoice, Notice

    return _page(
        request,
        "struggles/notices.html",
        organisation,
        viewer,
        notices=Notice.objects.filter(member=viewer)[:100],
        choices=EmailChoice.choices,
        chosen=notices.email_preference(viewer),
    )
