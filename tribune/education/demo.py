"""The demo's education: a core course from the archive, two circles, a spread with numbers.

Called by ``tribune.organisations.demo.create_demo`` with its replaying clock,
after the archive. Everything goes through the services: Ana, the elected
archivist (whose office also plans courses), writes "Organising 101" with
readings pinned to the founding statement's second version and the rent
strike's lessons; she facilitates the first circle, in Riverside, where Ben and
seven neighbours complete it; Ben, a graduate, then opens the second circle,
online, for members of every branch: its lineage runs back to Riverside's.
"""

from datetime import timedelta

from tribune.members.models import Member, Standing


def education_demo(organisation, clock) -> None:
    from tribune.education import services as education

    def member(email):
        return Member.objects.get(organisation=organisation, email=email)

    ana, ben = member("ana@example.org"), member("ben@example.org")
    documents = {
        d.published.title: d.published
        for d in organisation.documents.exclude(published=None).select_related("published")
    }
    founding = documents["Founding statement"]
    lessons = documents["Lessons of the Linden Court rent strike"]
    clock.now = clock.real_now() - timedelta(days=20)  # Ana's term began a month ago
    course = education.create_course(
        ana,
        organisation,
        title="Organising 101",
        summary=(
            "How we organise: why members decide, one-to-one conversations, building a "
            "committee, and what the Linden Court rent strike taught us. Four sessions; "
            "attend three of the four to complete it, and you may lead the next circle."
        ),
        core=True,
        completion_percent=75,
        sessions=[
            {
                "title": "Why members decide",
                "readings": [[founding.document_id, founding.number]],
            },
            {"title": "One-to-one conversations"},
            {"title": "Building a committee"},
            {
                "title": "Lessons of a rent strike",
                "readings": [[lessons.document_id, lessons.number]],
            },
        ],
    )
    start = clock.now + timedelta(days=1)
    weekly = [
        [start + timedelta(days=7 * i), start + timedelta(days=7 * i, hours=2)] for i in range(4)
    ]
    first = education.open_circle(
        ana,
        course,
        name="Riverside study circle",
        branch="riverside",
        place="Riverside Court community room",
        dates=weekly,
    )
    neighbours = list(
        Member.objects.filter(
            organisation=organisation, home_branch__slug="riverside", standing=Standing.GOOD
        )
        .exclude(pk__in=[ana.pk, ben.pk])
        .order_by("pk")[:9]
    )
    participants = [ben, *neighbours]
    for person in participants:
        education.join_circle(person, first)
    sessions = list(first.sessions.order_by("event__starts_at"))
    for n, session in enumerate(sessions):
        if session.starts_at + timedelta(hours=1) > clock.real_now():
            break  # the fourth session is next week
        clock.now = session.starts_at + timedelta(minutes=30)
        for i, person in enumerate(participants):
            # The last two came to two sessions only: not complete (3 of 4 needed, of
            # all four scheduled, though only three are held yet).
            state = "attended" if i < 8 or n < 2 else "excused"
            education.record_attendance(ana, session, person.pk, state)
    # Ben graduated in Riverside: he opens the next circle, online, for every branch.
    clock.advance(days=1)
    later = clock.now + timedelta(days=4)
    second = education.open_circle(
        ben,
        course,
        name="Online circle for every branch",
        online=True,
        link_="https://meet.example.org/organising-101",
        dates=[
            [later + timedelta(days=7 * i), later + timedelta(days=7 * i, hours=2)]
            for i in range(4)
        ],
    )
    others = list(
        Member.objects.filter(organisation=organisation, standing=Standing.GOOD)
        .exclude(home_branch__slug="riverside")
        .exclude(pk__in=[ana.pk, ben.pk])
        .order_by("pk")[:6]
    )
    for person in others:
        education.join_circle(person, second)
    for session in second.sessions.order_by("event__starts_at"):
        if session.starts_at + timedelta(hours=1) > clock.real_now():
            break
        clock.now = session.starts_at + timedelta(minutes=30)
        for person in others:
            education.record_attendance(ben, session, person.pk, "attended")
    clock.now = clock.real_now()


def education_tables(organisation) -> list:
    """The demo's education rows, in the order the demo's removal deletes them."""
    from tribune.education import models as e

    via_circle = {"circle__organisation": organisation}
    return [
        e.Attendance.objects.filter(session__circle__organisation=organisation),
        e.Completion.objects.filter(course__organisation=organisation),
        e.Participant.objects.filter(**via_circle),
        e.Facilitator.objects.filter(**via_circle),
        e.CircleSession.objects.filter(**via_circle),
        e.Circle.objects.filter(organisation=organisation),
        e.Reading.objects.filter(session__course__organisation=organisation),
        e.CourseSession.objects.filter(course__organisation=organisation),
        e.Course.founders.through.objects.filter(course__organisation=organisation),
        e.Course.objects.filter(organisation=organisation),
    ]
