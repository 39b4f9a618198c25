"""API: education — courses, circles, attendance, the spread of education, a member's path.

The same rules as the pages (``tribune.education.services``): everything is for
members in good standing of the organisation (others get 401/403); writing a
course needs ``plan_courses``; facilitating needs a completion of the course
(or having written it), never an appointment. Attendance is given only to the
member themself (``/education/me``) and to the circle's facilitators
(``…/register``); no other answer names who took part or attended.
"""

from datetime import datetime

from django.utils.translation import gettext as _t
from ninja import Router, Schema, Status

from tribune.api.common import acting
from tribune.api.types import Id, PathText
from tribune.education import rules, services, spread
from tribune.education.models import Circle, Course
from tribune.lib.errors import NotFound

router = Router(tags=["education"])


class EduReadingOut(Schema):
    document_id: int
    version: int
    title: str


class EduCourseSessionOut(Schema):
    number: int
    title: str
    summary: str
    readings: list[EduReadingOut]


class EduCourseOut(Schema):
    id: int
    title: str
    summary: str
    core: bool
    completion_percent: int
    sessions: list[EduCourseSessionOut]
    circles: list[int]
    may_facilitate: bool


class EduSessionIn(Schema):
    title: str
    summary: str = ""
    readings: list[list[int]] = []


class EduCourseIn(Schema):
    title: str
    summary: str = ""
    core: bool = False
    completion_percent: int = 80
    sessions: list[EduSessionIn]
    founders: list[int] = []


class EduCircleSessionOut(Schema):
    id: int
    number: int
    title: str
    starts_at: datetime
    ends_at: datetime
    event_id: int | None
    cancelled: bool = False


class EduSessionMoveIn(Schema):
    starts_at: datetime
    ends_at: datetime


class EduSessionCancelIn(Schema):
    reason: str = ""


class EduFacilitatorOut(Schema):
    name: str
    graduated_from: int | None  # a circle's id; None: wrote the course


class EduCircleOut(Schema):
    id: int
    course_id: int
    name: str
    branch: str | None  # None: online, across branches
    place: str
    link: str
    sessions: list[EduCircleSessionOut]
    facilitators: list[EduFacilitatorOut]
    participants: int


class EduCircleIn(Schema):
    name: str
    dates: list[list[datetime]]
    branch: str = ""
    online: bool = False
    place: str = ""
    link: str = ""


class EduAttendanceIn(Schema):
    session_id: int
    member_id: int
    state: str


class EduAttendanceOut(Schema):
    session_id: int
    state: str


class EduRegisterRowOut(Schema):
    member_id: int
    name: str
    marks: list[str]
    completed: bool


class EduParticipationOut(Schema):
    circle_id: int
    joined: bool


class EduPathOut(Schema):
    completed: list[int]  # course ids
    joined: list[int]  # circle ids
    facilitating: list[int]
    may_lead: list[int]  # course ids
    open_to_lead: list[int]  # circle ids
    attendance: dict[str, list[EduAttendanceOut]]  # circle id → your own attendance


class EduSpreadCourseOut(Schema):
    course_id: int
    completed: int | None  # None: fewer than 5
    share: int | None


class EduSpreadBranchOut(Schema):
    branch: str
    name: str
    members: int | None
    courses: list[EduSpreadCourseOut]
    facilitators: int | None
    no_facilitator: bool


class EduSpreadPointOut(Schema):
    month: str
    completed: int | None


class EduSpreadSeriesOut(Schema):
    course_id: int
    points: list[EduSpreadPointOut]


class EduSpreadOut(Schema):
    core: list[int]
    branches: list[EduSpreadBranchOut]
    no_facilitator: list[str]  # branch short names
    over_time: list[EduSpreadSeriesOut]


def _course_out(course: Course, viewer) -> dict:
    return {
        "id": course.pk,
        "title": course.title,
        "summary": course.summary,
        "core": course.core,
        "completion_percent": course.completion_percent,
        "sessions": [
            {
                "number": s.number,
                "title": s.title,
                "summary": s.summary,
                "readings": [
                    {
                        "document_id": r.version.document_id,
                        "version": r.version.number,
                        "title": r.version.title,
                    }
                    for r in s.readings.select_related("version")
                ],
            }
            for s in course.sessions.all()
        ],
        "circles": list(course.circles.values_list("pk", flat=True)[:200]),
        "may_facilitate": rules.may_facilitate(viewer, course),
    }


def _circle_out(circle: Circle) -> dict:
    return {
        "id": circle.pk,
        "course_id": circle.course_id,
        "name": circle.name,
        "branch": circle.branch.slug if circle.branch_id else None,
        "place": circle.place,
        "link": circle.link,
        "sessions": [
            {
                "id": s.pk,
                "number": s.course_session.number,
                "title": s.course_session.title,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "event_id": s.event_id,
                "cancelled": s.cancelled,
            }
            for s in circle.sessions.select_related("course_session", "event")
        ],
        "facilitators": [
            {"name": f.member.name, "graduated_from": f.graduated_from_id}
            for f in circle.facilitators.select_related("member")
        ],
        "participants": circle.participants.count(),
    }


def _member(request, slug):
    organisation, viewer = acting(request, slug)
    rules.require_member(viewer, organisation)
    return organisation, viewer


@router.get("/{slug}/education/courses", response=list[EduCourseOut])
def education_courses(request, slug: PathText):
    organisation, viewer = _member(request, slug)
    return [_course_out(c, viewer) for c in services.courses(viewer, organisation)[:200]]


@router.post("/{slug}/education/courses", response={201: EduCourseOut})
def education_create_course(request, slug: PathText, payload: EduCourseIn):
    """Write a course (``plan_courses``): sessions in order, readings as [document, version]."""
    organisation, viewer = acting(request, slug)
    course = services.create_course(
        viewer,
        organisation,
        title=payload.title,
        summary=payload.summary,
        core=payload.core,
        completion_percent=payload.completion_percent,
        sessions=[s.dict() for s in payload.sessions],
        founders=payload.founders,
    )
    return Status(201, _course_out(course, viewer))


@router.get("/{slug}/education/courses/{course_id}", response=EduCourseOut)
def education_course(request, slug: PathText, course_id: Id):
    organisation, viewer = _member(request, slug)
    return _course_out(services.course(viewer, organisation, course_id), viewer)


@router.post("/{slug}/education/courses/{course_id}/circles", response={201: EduCircleOut})
def education_open_circle(request, slug: PathText, course_id: Id, payload: EduCircleIn):
    """Open a circle (a member who completed the course, or wrote it): one date pair a session."""
    organisation, viewer = acting(request, slug)
    course = services.course(viewer, organisation, course_id)
    circle = services.open_circle(
        viewer,
        course,
        name=payload.name,
        dates=payload.dates,
        branch=payload.branch or None,
        online=payload.online,
        place=payload.place,
        link_=payload.link,
    )
    return Status(201, _circle_out(circle))


@router.get("/{slug}/education/circles/{circle_id}", response=EduCircleOut)
def education_circle(request, slug: PathText, circle_id: Id):
    organisation, viewer = _member(request, slug)
    return _circle_out(services.circle(viewer, organisation, circle_id))


@router.post("/{slug}/education/circles/{circle_id}/join", response=EduParticipationOut)
def education_join(request, slug: PathText, circle_id: Id):
    organisation, viewer = acting(request, slug)
    circle = services.circle(viewer, organisation, circle_id)
    services.join_circle(viewer, circle)
    return {"circle_id": circle.pk, "joined": True}


@router.post("/{slug}/education/circles/{circle_id}/facilitate", response=EduFacilitatorOut)
def education_facilitate(request, slug: PathText, circle_id: Id):
    """Facilitate a circle: for members who completed its course (or wrote it)."""
    organisation, viewer = acting(request, slug)
    circle = services.circle(viewer, organisation, circle_id)
    done = services.facilitate(viewer, circle)
    return {"name": viewer.name, "graduated_from": done.graduated_from_id}


@router.get("/{slug}/education/circles/{circle_id}/register", response=list[EduRegisterRowOut])
def education_register(request, slug: PathText, circle_id: Id):
    """Who attended which session: the circle's facilitators only (404 to anyone else)."""
    organisation, viewer = _member(request, slug)
    circle = services.circle(viewer, organisation, circle_id)
    if not rules.facilitates(viewer, circle):
        raise NotFound(_t("Not found."))
    return [
        {
            "member_id": row["member"].pk,
            "name": row["member"].name,
            "marks": row["marks"],
            "completed": row["completed"],
        }
        for row in services.register(circle)
    ]


@router.post("/{slug}/education/circles/{circle_id}/attendance", response=EduAttendanceOut)
def education_attendance(request, slug: PathText, circle_id: Id, payload: EduAttendanceIn):
    """Record a participant's attendance at a session that has begun (facilitators)."""
    organisation, viewer = acting(request, slug)
    circle = services.circle(viewer, organisation, circle_id)
    session = circle.sessions.filter(pk=payload.session_id).first()
    if session is None:
        raise NotFound(_t("There is no such session."), "session_id")
    done = services.record_attendance(viewer, session, payload.member_id, payload.state)
    return {"session_id": session.pk, "state": done.state}


def _circle_session(request, slug, circle_id, session_id):
    organisation, viewer = acting(request, slug)
    circle = services.circle(viewer, organisation, circle_id)
    session = circle.sessions.filter(pk=session_id).first()
    if session is None:
        raise NotFound(_t("There is no such session."), "session_id")
    return viewer, circle, session


@router.post(
    "/{slug}/education/circles/{circle_id}/sessions/{session_id}/move", response=EduCircleOut
)
def education_move_session(
    request, slug: PathText, circle_id: Id, session_id: Id, payload: EduSessionMoveIn
):
    """Move a session still to come (its facilitators, or a plan_courses mandate)."""
    viewer, circle, session = _circle_session(request, slug, circle_id, session_id)
    services.move_session(viewer, session, starts_at=payload.starts_at, ends_at=payload.ends_at)
    return _circle_out(circle)


@router.post(
    "/{slug}/education/circles/{circle_id}/sessions/{session_id}/cancel", response=EduCircleOut
)
def education_cancel_session(
    request, slug: PathText, circle_id: Id, session_id: Id, payload: EduSessionCancelIn
):
    """Cancel a session still to come (its facilitators, or a plan_courses mandate)."""
    viewer, circle, session = _circle_session(request, slug, circle_id, session_id)
    services.cancel_session(viewer, session, reason=payload.reason)
    return _circle_out(circle)


@router.get("/{slug}/education/me", response=EduPathOut)
def education_me(request, slug: PathText):
    """Your own path: courses done, circles joined or led, circles you may facilitate."""
    organisation, viewer = acting(request, slug)
    rules.require_member(viewer, organisation)
    path = services.my_path(viewer)
    return {
        "completed": [d.course_id for d in path["completed"]],
        "joined": [c.pk for c in path["joined"]],
        "facilitating": [c.pk for c in path["facilitating"]],
        "may_lead": [c.pk for c in path["may_lead"]],
        "open_to_lead": [c.pk for c in path["open_to_lead"]],
        "attendance": {
            str(c.pk): [
                {"session_id": a.session_id, "state": a.state}
                for a in services.attendance_of(viewer, c, viewer.pk)
            ]
            for c in path["joined"]
        },
    }


@router.get("/{slug}/education/spread", response=EduSpreadOut)
def education_spread(request, slug: PathText):
    """How far education has spread, per branch and over time; counts 1–4 are null."""
    organisation, viewer = _member(request, slug)
    board = spread.dashboard(organisation)
    return {
        "core": [c.pk for c in board["core"]],
        "branches": [
            {
                "branch": r["branch"].slug,
                "name": r["branch"].name,
                "members": r["members"],
                "courses": [
                    {"course_id": c["course"].pk, "completed": c["completed"], "share": c["share"]}
                    for c in r["courses"]
                ],
                "facilitators": r["facilitators"],
                "no_facilitator": r["no_facilitator"],
            }
            for r in board["branches"]
        ],
        "no_facilitator": [b.slug for b in board["gaps"]],
        "over_time": [
            {"course_id": s["course"].pk, "points": s["points"]} for s in board["over_time"]
        ],
    }
