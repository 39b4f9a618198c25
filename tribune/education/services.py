"""Education's actions: write a course, open and run circles, record attendance.

Each action validates, writes in one transaction and records an audit entry
when it is the act of a mandate or of a facilitator (never naming a
participant: who attended what is personal data). Completion is recomputed
whenever attendance changes, counted against **all** the circle's scheduled
sessions — one per session of the course — so a circle half held cannot make
anyone complete a course whose rule asks for more.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.education import rules
from tribune.education.models import (
    Attendance,
    AttendanceState,
    Circle,
    CircleSession,
    Completion,
    Course,
    CourseSession,
    Facilitator,
    Participant,
    Reading,
)
from tribune.lib.errors import NotFound, NotPermitted, RuleViolation
from tribune.struggles.services.common import branch_of, moment, text, whole
from tribune.struggles.services.events import (
    cancel_for,
    reschedule_for,
    schedule_for,
    sign_up,
)

MAX_SESSIONS = 40
MAX_READINGS = 12
MAX_FOUNDERS = 10


# --- reading -----------------------------------------------------------------------------


def courses(viewer, organisation):
    rules.require_member(viewer, organisation)
    return Course.objects.filter(organisation=organisation)


def course(viewer, organisation, pk: int) -> Course:
    rules.require_member(viewer, organisation)
    found = Course.objects.filter(organisation=organisation, pk=pk).first()
    if found is None:
        raise NotFound(_t("There is no such course."))
    return found


def circle(viewer, organisation, pk: int) -> Circle:
    rules.require_member(viewer, organisation)
    found = (
        Circle.objects.filter(organisation=organisation, pk=pk)
        .select_related("course", "branch")
        .first()
    )
    if found is None:
        raise NotFound(_t("There is no such circle."))
    return found


def lineage(circle_: Circle) -> list[dict]:
    """Each facilitator of the circle with the chain of circles they learnt in, nearest first."""
    chains = []
    for facilitator in circle_.facilitators.select_related("member", "graduated_from"):
        chain, seen, at = [], {circle_.pk}, facilitator.graduated_from
        while at is not None and at.pk not in seen and len(chain) < 50:
            chain.append(at)
            seen.add(at.pk)
            teacher = at.facilitators.select_related("graduated_from").first()
            at = teacher.graduated_from if teacher else None
        chains.append({"facilitator": facilitator, "chain": chain})
    return chains


def attendance_of(viewer, circle_: Circle, member_id: int) -> list[Attendance]:
    """One member's attendance in a circle: for themself and the circle's facilitators only."""
    if not rules.may_see_attendance(viewer, circle_, member_id):
        raise NotFound(_t("Not found."))
    return list(
        Attendance.objects.filter(session__circle=circle_, member_id=member_id)
        .select_related("session__course_session")
        .order_by("session__event__starts_at", "session__pk")
    )


def register(circle_: Circle) -> list[dict]:
    """The circle's register (participants × sessions), for its facilitators' eyes only."""
    sessions = list(circle_.sessions.select_related("event").order_by("event__starts_at", "pk"))
    marks = {
        (a.session_id, a.member_id): a.state
        for a in Attendance.objects.filter(session__circle=circle_)
    }
    rows = []
    for participant in circle_.participants.select_related("member").order_by("member__name"):
        member = participant.member
        rows.append(
            {
                "member": member,
                "marks": [marks.get((s.pk, member.pk), "") for s in sessions],
                "completed": Completion.objects.filter(
                    course=circle_.course, member=member, circle=circle_
                ).exists(),
            }
        )
    return rows


def my_path(member) -> dict:
    """A member's own path: courses completed, circles joined, courses they may lead."""
    organisation = member.organisation
    done = list(Completion.objects.filter(member=member).select_related("course", "circle"))
    founded = list(Course.objects.filter(organisation=organisation, founders=member))
    may_lead = {c.course for c in done} | set(founded)
    return {
        "completed": done,
        "joined": list(Circle.objects.filter(participants__member=member).select_related("course")),
        "facilitating": list(
            Circle.objects.filter(facilitators__member=member).select_related("course")
        ),
        "may_lead": sorted(may_lead, key=lambda c: (c.title, c.pk)),
        "open_to_lead": list(
            Circle.objects.filter(course__in=may_lead, organisation=organisation)
            .exclude(facilitators__member=member)
            .exclude(participants__member=member)
            .filter(sessions__event__starts_at__gt=timezone.now())
            .distinct()
            .select_related("course")
        ),
    }


# --- writing a course --------------------------------------------------------------------


def _version(organisation, document_id, number):
    """A version of an archive document to read: one the archive has published."""
    from tribune.archive.models import DocumentVersion

    version = (
        DocumentVersion.objects.filter(
            document__organisation=organisation,
            document_id=whole(document_id, field="readings", low=1, high=2**62),
            number=whole(number, field="readings", low=1, high=10**6),
        )
        .select_related("document")
        .first()
    )
    published = version is not None and (
        version.document.published_id == version.pk
        or getattr(getattr(version, "decision", None), "outcome", "") == "published"
    )
    if not published:
        raise RuleViolation(
            _t("A reading must be a published version of an archive document."), "readings"
        )
    return version


@transaction.atomic
def create_course(
    member,
    organisation,
    *,
    title: str,
    summary: str = "",
    core: bool = False,
    completion_percent: int = 80,
    sessions: list[dict],
    founders: list[int] | None = None,
) -> Course:
    """Write a course: its sessions in order, each with readings pinned to versions.

    ``sessions``: ``[{"title", "summary", "readings": [[document_id, version], …]}]``.
    The writer and the ``founders`` named (members in good standing) may
    facilitate its first circles.
    """
    term = rules.planner_term(member, organisation)
    if not isinstance(sessions, list) or not 1 <= len(sessions) <= MAX_SESSIONS:
        raise RuleViolation(_t("Give from 1 to %(n)s sessions.") % {"n": MAX_SESSIONS}, "sessions")
    course_ = Course.objects.create(
        organisation=organisation,
        title=text(title, field="title", max_length=200),
        summary=text(summary, field="summary", max_length=5000, required=False, one_line=False),
        core=bool(core),
        completion_percent=whole(completion_percent, field="completion_percent", low=1, high=100),
        created_by=member,
    )
    for number, spec in enumerate(sessions, start=1):
        if not isinstance(spec, dict):
            raise RuleViolation(_t("Each session needs a title."), "sessions")
        session = CourseSession.objects.create(
            course=course_,
            number=number,
            title=text(spec.get("title"), field="sessions", max_length=200),
            summary=text(
                spec.get("summary", ""),
                field="sessions",
                max_length=5000,
                required=False,
                one_line=False,
            ),
        )
        readings = spec.get("readings") or []
        if not isinstance(readings, list) or len(readings) > MAX_READINGS:
            raise RuleViolation(
                _t("Give at most %(n)s readings a session.") % {"n": MAX_READINGS}, "readings"
            )
        for pair in readings:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise RuleViolation(
                    _t("Give each reading as a document and a version."), "readings"
                )
            version = _version(organisation, pair[0], pair[1])
            Reading.objects.get_or_create(session=session, version=version)
    founder_ids = {member.pk} | set(founders or [])
    if len(founder_ids) > MAX_FOUNDERS:
        raise RuleViolation(_t("Name at most %(n)s founders.") % {"n": MAX_FOUNDERS}, "founders")
    from tribune.members.models import Member, Standing

    for pk in founder_ids:
        whole(pk, field="founders", low=1, high=2**62)
    found = list(
        Member.objects.filter(organisation=organisation, pk__in=founder_ids, standing=Standing.GOOD)
    )
    if len(found) != len(founder_ids):
        raise RuleViolation(_t("Every founder must be a member in good standing."), "founders")
    course_.founders.set(found)
    record(
        organisation,
        "education.course_created",
        actor=member,
        term=term,
        target=course_,
        data={"title": course_.title, "sessions": len(sessions)},
    )
    return course_


# --- circles -----------------------------------------------------------------------------


def _when(value, field: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise RuleViolation(_t("Give a date and time."), field) from None
    return moment(value, field=field)


@transaction.atomic
def open_circle(
    member,
    course_: Course,
    *,
    name: str,
    dates: list,
    branch: str | None = None,
    online: bool = False,
    place: str = "",
    link_: str = "",
) -> Circle:
    """An eligible member opens a circle of ``course_``: one dated session per course session.

    ``dates``: ``[[starts, ends], …]`` in the course's session order. The
    opener facilitates it, recording the circle they graduated from.
    """
    organisation = course_.organisation
    eligible, teacher_circle = rules.graduated_from(member, course_)
    if not eligible:
        raise NotPermitted(
            _t("Only members who completed this course (or wrote it) may facilitate it.")
        )
    owner = None if online else branch_of(organisation, branch)
    if not online and owner is None and not branch:
        owner = member.home_branch if member.home_branch.parent_id else None
    place = text(place, field="place", max_length=300, required=False)
    if not place and not link_:
        raise RuleViolation(_t("Give a place or a link (or both)."), "place")
    course_sessions = list(course_.sessions.order_by("number"))
    if not isinstance(dates, list) or len(dates) != len(course_sessions):
        raise RuleViolation(
            _t("Give a date for each of the course's %(n)s sessions.")
            % {"n": len(course_sessions)},
            "dates",
        )
    circle_ = Circle.objects.create(
        course=course_,
        organisation=organisation,
        branch=owner,
        name=text(name, field="name", max_length=200),
        place=place,
        link=link_ or "",
        opened_by=member,
    )
    previous = None
    for session, pair in zip(course_sessions, dates, strict=True):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise RuleViolation(_t("Give a start and an end for each session."), "dates")
        starts_at, ends_at = _when(pair[0], "dates"), _when(pair[1], "dates")
        if previous is not None and starts_at < previous:
            raise RuleViolation(_t("Give the sessions in the course's order."), "dates")
        previous = starts_at
        event = schedule_for(
            organisation,
            branch=owner,
            title=f"{circle_.name}: {session.number}. {session.title}",
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            link_=link_,
            created_by=member,
        )
        CircleSession.objects.create(circle=circle_, course_session=session, event=event)
    Facilitator.objects.create(circle=circle_, member=member, graduated_from=teacher_circle)
    record(
        organisation,
        "education.circle_opened",
        actor=member,
        target=circle_,
        data={
            "course": course_.pk,
            "graduated_from": teacher_circle.pk if teacher_circle else None,
        },
    )
    return circle_


def _not_over(circle_: Circle) -> None:
    last = circle_.sessions.select_related("event").order_by("-event__ends_at").first()
    if last is None or last.ends_at < timezone.now():
        raise RuleViolation(_t("This circle has finished."))


@transaction.atomic
def facilitate(member, circle_: Circle) -> Facilitator:
    """An eligible member joins a circle as one of its facilitators (no one appoints them)."""
    circle_ = Circle.objects.select_for_update().get(pk=circle_.pk)
    eligible, teacher_circle = rules.graduated_from(member, circle_.course)
    if not eligible:
        raise NotPermitted(
            _t("Only members who completed this course (or wrote it) may facilitate it.")
        )
    _not_over(circle_)
    if circle_.participants.filter(member=member).exists():
        raise RuleViolation(_t("You take part in this circle; you cannot also facilitate it."))
    existing = circle_.facilitators.filter(member=member).first()
    if existing:
        return existing
    facilitator = Facilitator.objects.create(
        circle=circle_, member=member, graduated_from=teacher_circle
    )
    record(
        circle_.organisation,
        "education.facilitator_joined",
        actor=member,
        target=circle_,
        data={"graduated_from": teacher_circle.pk if teacher_circle else None},
    )
    return facilitator


@transaction.atomic
def join_circle(member, circle_: Circle) -> Participant:
    """A member in good standing joins a circle: registered for every one of its sessions.

    Not recorded in the audit log: taking part is the member's own business.
    """
    circle_ = Circle.objects.select_for_update().get(pk=circle_.pk)
    if not rules.is_member(member, circle_.organisation):
        raise NotPermitted(_t("Only members in good standing can join a circle."))
    _not_over(circle_)
    if rules.facilitates(member, circle_):
        raise RuleViolation(_t("You facilitate this circle."))
    participant, created = Participant.objects.get_or_create(circle=circle_, member=member)
    if created:
        sessions = list(circle_.sessions.select_related("event"))
        Attendance.objects.bulk_create(
            [Attendance(session=s, member=member) for s in sessions],
            ignore_conflicts=True,
        )
        # Signed up for each session to come, so a move or a cancellation reaches them
        # (and the reminders) the way it reaches everyone signed up for an event.
        now = timezone.now()
        for s in sessions:
            if not s.cancelled and s.ends_at > now:
                sign_up(member, s.event)
    return participant


@transaction.atomic
def record_attendance(member, session: CircleSession, attendee_id, state: str) -> Attendance:
    """A facilitator records a participant's attendance at a session that has begun.

    The audit entry names the facilitator and the session, never the participant.
    """
    session = CircleSession.objects.select_related("circle__course", "event").get(pk=session.pk)
    circle_ = session.circle
    if not rules.facilitates(member, circle_) or not member.in_good_standing:
        raise NotPermitted(_t("Only the circle's facilitators record attendance."))
    if state not in AttendanceState.values:
        raise RuleViolation(_t("Choose one of the listed options."), "state")
    if session.cancelled:
        raise RuleViolation(_t("This session is cancelled."), "session")
    if session.starts_at > timezone.now():
        raise RuleViolation(_t("Attendance is recorded once the session has begun."), "session")
    if isinstance(attendee_id, bool) or not isinstance(attendee_id, int):
        raise RuleViolation(_t("Choose a participant of this circle."), "member_id")
    attendance = (
        Attendance.objects.select_for_update()
        .filter(session=session, member_id=attendee_id)
        .first()
    )
    if attendance is None:
        raise RuleViolation(_t("Choose a participant of this circle."), "member_id")
    attendance.state = state
    attendance.save(update_fields=["state"])
    _recompute(circle_, attendee_id)
    record(circle_.organisation, "education.attendance", actor=member, target=session)
    return attendance


@transaction.atomic
def excuse_myself(member, session: CircleSession) -> Attendance:
    """A participant tells the circle, before a session, that they cannot come."""
    attendance = (
        Attendance.objects.select_for_update()
        .select_related("session__event")
        .filter(session=session, member=member)
        .first()
    )
    if attendance is None:
        raise NotPermitted(_t("You do not take part in this circle."))
    session = attendance.session
    if session.starts_at <= timezone.now():
        raise RuleViolation(_t("This session has begun: ask a facilitator."), "session")
    attendance.state = AttendanceState.EXCUSED
    attendance.save(update_fields=["state"])
    return attendance


def _recompute(circle_: Circle, member_id: int) -> Completion | None:
    """Completion of ``member_id`` in ``circle_``: attended ≥ the rule's share of ALL scheduled.

    A cancelled session is no longer scheduled: it counts neither among the
    sessions scheduled nor among those attended (10 scheduled, 1 cancelled:
    the rule's share is of the 9 left).
    """
    course_ = circle_.course
    scheduled = circle_.sessions.filter(event__cancelled_at__isnull=True).count()
    attended = Attendance.objects.filter(
        session__circle=circle_,
        session__event__cancelled_at__isnull=True,
        member_id=member_id,
        state=AttendanceState.ATTENDED,
    ).count()
    existing = Completion.objects.filter(course=course_, member_id=member_id).first()
    if attended >= course_.required_sessions(scheduled):
        if existing is None:
            return Completion.objects.create(
                course=course_, member_id=member_id, circle=circle_, completed_at=timezone.now()
            )
        return existing
    if (
        existing is not None
        and existing.circle_id == circle_.pk
        and not Facilitator.objects.filter(member_id=member_id, graduated_from=circle_).exists()
    ):
        existing.delete()  # a corrected register takes back a completion not yet used
    return None


# --- moving and cancelling a session -----------------------------------------------------


def _session_to_change(member, session: CircleSession):
    """The locked session and the term (or None) under which ``member`` may change it."""
    session = (
        CircleSession.objects.select_for_update(of=("self",))
        .select_related("circle__organisation", "event")
        .get(pk=session.pk)
    )
    term = rules.may_reschedule(member, session.circle)
    if session.cancelled:
        raise RuleViolation(_t("This session is cancelled."), "session")
    if session.starts_at <= timezone.now():
        raise RuleViolation(
            _t("This session has begun: it can no longer be moved or cancelled."), "session"
        )
    return session, term


@transaction.atomic
def move_session(member, session: CircleSession, *, starts_at, ends_at) -> CircleSession:
    """A facilitator (or a ``plan_courses`` mandate) moves a session still to come.

    The calendar event is moved through the struggles app's own change (SEQUENCE
    raised, everyone signed up told); the session has no date of its own to update.
    """
    session, term = _session_to_change(member, session)
    starts_at, ends_at = _when(starts_at, "starts_at"), _when(ends_at, "ends_at")
    if starts_at <= timezone.now():
        raise RuleViolation(_t("Choose a time still to come."), "starts_at")
    # The course's order is kept by ``keep_course_order``, which the event's move asks.
    session.event = reschedule_for(session.event, starts_at=starts_at, ends_at=ends_at)
    record(
        session.circle.organisation,
        "education.session_moved",
        actor=member,
        term=term,
        target=session,
        data={"starts_at": session.starts_at.isoformat(), "ends_at": session.ends_at.isoformat()},
    )
    return session


@transaction.atomic
def cancel_session(member, session: CircleSession, *, reason: str = "") -> CircleSession:
    """A facilitator (or a ``plan_courses`` mandate) cancels a session still to come.

    Its event is cancelled (STATUS:CANCELLED in the feeds, everyone signed up
    told) and the session is no longer scheduled: completions are recounted
    against the sessions left (see ``_recompute``).
    """
    session, term = _session_to_change(member, session)
    reason = text(reason, field="reason", max_length=300, required=False)
    session.event = cancel_for(session.event, reason=reason)
    record(
        session.circle.organisation,
        "education.session_cancelled",
        actor=member,
        term=term,
        target=session,
        data={"reason": reason},
    )
    return session


def keep_course_order(event, starts_at: datetime) -> None:
    """Refuse to move a circle's session before the one it follows or after the next one.

    Asked whenever an event is about to move (``struggles.signals.event_moving``), so
    the rule holds on every path: the circle's own pages, and the calendar's pages and
    API, where those who run struggles may move any event. Not a session: nothing to keep.
    """
    session = (
        CircleSession.objects.filter(event=event).select_related("course_session", "circle").first()
    )
    if session is None:
        return
    others = session.circle.sessions.exclude(pk=session.pk).filter(event__cancelled_at__isnull=True)
    number = session.course_session.number
    before = others.filter(course_session__number__lt=number).order_by("-event__starts_at")
    after = others.filter(course_session__number__gt=number).order_by("event__starts_at")
    earlier, later = before.select_related("event").first(), after.select_related("event").first()
    if (earlier and starts_at < earlier.starts_at) or (later and starts_at > later.starts_at):
        raise RuleViolation(
            _t(
                "Keep the sessions in the course's order: choose a time between the sessions "
                "before and after this one."
            ),
            "starts_at",
        )


def recount_for_event(event) -> None:
    """An event changed (from any page): if it is a circle's session, recount completions."""
    session = CircleSession.objects.filter(event=event).select_related("circle__course").first()
    if session is None:
        return
    circle_ = session.circle
    for member_id in circle_.participants.values_list("member_id", flat=True):
        _recompute(circle_, member_id)
