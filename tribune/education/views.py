"""Education pages: courses, circles, the register, the spread of education.

Views parse the request and call ``tribune.education.services``; the rules
live there. Others than members in good standing are refused (403). Who attended what is shown
to the member themself and to the circle's facilitators only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.education import rules, services, spread
from tribune.education.forms import (
    AttendanceForm,
    CircleForm,
    CourseForm,
    SessionCancelForm,
    SessionMoveForm,
)
from tribune.education.models import CircleSession
from tribune.lib.errors import NotFound, RuleViolation
from tribune.web.helpers import attempt, organisation_and_viewer

BRANCHES_PER_PAGE = 50  # rows of the spread's table; the picture shows them all


def _member(request, slug: str):
    organisation, viewer = organisation_and_viewer(request, slug)
    rules.require_member(viewer, organisation)
    return organisation, viewer


@login_required
def index(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = _member(request, slug)
    return render(
        request,
        "education/index.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "courses": services.courses(viewer, organisation),
            "path": services.my_path(viewer),
            "may_plan": rules.may_plan(viewer, organisation),
        },
    )


@login_required
def course_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = _member(request, slug)
    rules.planner_term(viewer, organisation)  # no mandate: the 403 page, with the reason
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        course = attempt(
            form,
            services.create_course,
            viewer,
            organisation,
            title=data["title"],
            summary=data["summary"],
            core=data["core"],
            completion_percent=data["completion_percent"],
            sessions=data["sessions"],
        )
        if course is not None:
            messages.success(request, _t("The course is written."))
            return redirect(course.get_absolute_url())
    return render(
        request,
        "education/course_new.html",
        {"organisation": organisation, "form": form},
        status=400 if form.is_bound else 200,
    )


def _circle_form(organisation, data=None):
    branches = organisation.branches.exclude(parent=None).order_by("name")
    return CircleForm(data, branches=branches, zone=organisation.zone)


@login_required
def course(request: HttpRequest, slug: str, course_id: int, form=None) -> HttpResponse:
    organisation, viewer = _member(request, slug)
    found = services.course(viewer, organisation, course_id)
    circles = list(found.circles.select_related("branch").order_by("-created_at")[:100])
    return render(
        request,
        "education/course.html",
        {
            "organisation": organisation,
            "course": found,
            "sessions": found.sessions.prefetch_related("readings__version"),
            "circles": circles,
            "may_facilitate": rules.may_facilitate(viewer, found),
            "form": form or _circle_form(organisation),
        },
        status=400 if form is not None else 200,
    )


@login_required
@require_POST
def circle_open(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    organisation, viewer = _member(request, slug)
    found = services.course(viewer, organisation, course_id)
    form = _circle_form(organisation, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        opened = attempt(
            form,
            services.open_circle,
            viewer,
            found,
            name=data["name"],
            dates=data["date_pairs"],
            branch=data["where"] or None,
            online=not data["where"],
            place=data["place"],
            link_=data["link"],
        )
        if opened is not None:
            messages.success(request, _t("The circle is open: its sessions are in the calendar."))
            return redirect(opened.get_absolute_url())
    return course(request, slug, course_id, form=form)


@login_required
def circle(request: HttpRequest, slug: str, circle_id: int, form=None) -> HttpResponse:
    organisation, viewer = _member(request, slug)
    found = services.circle(viewer, organisation, circle_id)
    facilitating = rules.facilitates(viewer, found)
    taking_part = found.participants.filter(member=viewer).exists()
    return render(
        request,
        "education/circle.html",
        {
            "organisation": organisation,
            "circle": found,
            "sessions": found.sessions.select_related("course_session", "event"),
            "lineage": services.lineage(found),
            "facilitating": facilitating,
            "taking_part": taking_part,
            "may_facilitate": not facilitating
            and not taking_part
            and rules.may_facilitate(viewer, found.course),
            "mine": services.attendance_of(viewer, found, viewer.pk) if taking_part else [],
            "register": services.register(found) if facilitating else [],
            "participants": found.participants.count(),
            "states": [s for s in services.AttendanceState.choices],
            "may_reschedule": facilitating or rules.may_plan(viewer, organisation),
            "now": timezone.now(),
            "form": form,
        },
        status=400 if form is not None else 200,
    )


def _post_action(request, slug, circle_id, action, done: str) -> HttpResponse:
    organisation, viewer = _member(request, slug)
    found = services.circle(viewer, organisation, circle_id)
    try:
        action(viewer, found)
    except RuleViolation as exc:
        if exc.__class__ is not RuleViolation:
            raise
        messages.error(request, exc.message)
        return redirect(found.get_absolute_url())
    messages.success(request, done)
    return redirect(found.get_absolute_url())


@login_required
@require_POST
def circle_join(request: HttpRequest, slug: str, circle_id: int) -> HttpResponse:
    return _post_action(
        request, slug, circle_id, services.join_circle, _t("You are registered for every session.")
    )


@login_required
@require_POST
def circle_facilitate(request: HttpRequest, slug: str, circle_id: int) -> HttpResponse:
    return _post_action(
        request, slug, circle_id, services.facilitate, _t("You facilitate this circle.")
    )


def _session(found, raw) -> CircleSession:
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise NotFound(_t("There is no such session.")) from None
    session = found.sessions.filter(pk=pk).first()
    if session is None:
        raise NotFound(_t("There is no such session."))
    return session


@login_required
@require_POST
def circle_excuse(request: HttpRequest, slug: str, circle_id: int) -> HttpResponse:
    organisation, viewer = _member(request, slug)
    found = services.circle(viewer, organisation, circle_id)
    session = _session(found, request.POST.get("session"))
    return _post_action(
        request,
        slug,
        circle_id,
        lambda member, _c: services.excuse_myself(member, session),
        _t("The facilitators know you cannot come."),
    )


@login_required
@require_POST
def circle_attendance(request: HttpRequest, slug: str, circle_id: int) -> HttpResponse:
    organisation, viewer = _member(request, slug)
    found = services.circle(viewer, organisation, circle_id)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        session = _session(found, form.cleaned_data["session"])
        done = attempt(
            form,
            services.record_attendance,
            viewer,
            session,
            form.cleaned_data["member"],
            form.cleaned_data["state"],
        )
        if done is not None:
            messages.success(request, _t("Attendance recorded."))
            return redirect(found.get_absolute_url())
    return circle(request, slug, circle_id, form=form)


def _session_change(request, slug, circle_id, form_class, action, done: str) -> HttpResponse:
    organisation, viewer = _member(request, slug)
    found = services.circle(viewer, organisation, circle_id)
    form = form_class(request.POST)
    if form.is_valid():
        session = _session(found, form.cleaned_data["session"])
        if attempt(form, action, viewer, session, form.cleaned_data) is not None:
            messages.success(request, done)
            return redirect(found.get_absolute_url())
    return circle(request, slug, circle_id, form=form)


@login_required
@require_POST
def circle_session_move(request: HttpRequest, slug: str, circle_id: int) -> HttpResponse:
    return _session_change(
        request,
        slug,
        circle_id,
        SessionMoveForm,
        lambda member, session, data: services.move_session(
            member, session, starts_at=data["starts_at"], ends_at=data["ends_at"]
        ),
        _t("The session is moved; those taking part are told."),
    )


@login_required
@require_POST
def circle_session_cancel(request: HttpRequest, slug: str, circle_id: int) -> HttpResponse:
    return _session_change(
        request,
        slug,
        circle_id,
        SessionCancelForm,
        lambda member, session, data: services.cancel_session(
            member, session, reason=data["reason"]
        ),
        _t("The session is cancelled; those taking part are told."),
    )


@login_required
def spread_page(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = _member(request, slug)
    board = spread.dashboard(organisation)
    return render(
        request,
        "education/spread.html",
        {
            "organisation": organisation,
            "board": board,
            "page": Paginator(board["branches"], BRANCHES_PER_PAGE).get_page(
                request.GET.get("page")
            ),
            "map": spread.map_layout(board["branches"]),
            "lines": spread.chart(board["over_time"]),
        },
    )
