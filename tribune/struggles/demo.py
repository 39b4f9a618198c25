"""The demo's struggle: built through the same services as everything else.

Called by ``tribune.organisations.demo.create_demo`` with its replaying clock.
"""

from datetime import timedelta

from tribune.members.models import Member, Standing


def struggles_demo(organisation, clock) -> None:
    """A rent strike at Riverside Court: news, a pledge part-way, events, solidarity answered.

    Ana (whose mandate runs struggles for the whole organisation) starts it for
    the Riverside branch; twelve of the twenty tenants needed have pledged
    (60 %: who, only each of them knows); Kingsport's organiser answers the
    call for people at the eviction watch.
    """
    from tribune.offices.models import Term
    from tribune.struggles.services import events, pledges, solidarity, struggles, tasks

    ana = Member.objects.get(organisation=organisation, email="ana@example.org")
    branches = {b.slug: b for b in organisation.branches.all()}
    clock.now = clock.real_now() - timedelta(days=12)
    strike = struggles.start_struggle(
        ana,
        organisation,
        title="Riverside Court rent strike",
        summary=(
            "The tenants of Riverside Court have waited two years for repairs: damp, broken "
            "lifts, no heating in winter. We withhold rent together until the landlord signs "
            "a repairs plan with the tenants' committee."
        ),
        branch="riverside",
        status="preparing",
        programme=["housing"],
    )
    clock.advance(days=1)
    struggles.post_update(
        ana,
        strike,
        text_="Door-knocking done: 31 of 34 flats spoke to us; 25 want to act.",
    )
    clock.advance(days=2)
    struggles.post_update(
        ana,
        strike,
        text_="The landlord refused to meet. The strike is on once twenty tenants commit.",
        status="active",
    )
    struggles.post_update(
        ana,
        strike,
        text_="Members: the strike fund's bank details are with the branch treasurer.",
        visibility="members",
    )
    pledge = pledges.create_pledge(
        ana,
        organisation,
        struggle=strike,
        action="withhold our rent from the first of next month",
        threshold=20,
        deadline=clock.real_now() + timedelta(days=14),
        unit="Riverside Court (34 flats)",
        details="Rent goes into the tenants' escrow account, not the landlord's, until repairs.",
        follow_up_days=7,
    )
    tenants = Member.objects.filter(
        organisation=organisation, standing=Standing.GOOD, home_branch=branches["riverside"]
    ).exclude(email__in=["ben@example.org", "cam@example.org", "ana@example.org"])
    for tenant in tenants.order_by("pk")[:12]:
        clock.advance(hours=3)
        pledges.make_pledge(tenant, pledge)
    start = (clock.real_now() + timedelta(days=4)).replace(hour=18, minute=0, second=0)
    events.create_event(
        ana,
        organisation,
        struggle=strike,
        title="Riverside Court tenants' meeting",
        kind="meeting",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        time_zone="Europe/London",
        place="Riverside Community Centre, 2 Quay Street",
        link_="https://meet.example.org/riverside-court",
        capacity=60,
        description="Where we stand, the pledge, and the strike committee's election.",
    )
    watch = (clock.real_now() + timedelta(days=9)).replace(hour=7, minute=0, second=0)
    watch_event = events.create_event(
        ana,
        organisation,
        struggle=strike,
        title="Eviction watch at Riverside Court",
        kind="picket",
        starts_at=watch,
        ends_at=watch + timedelta(hours=3),
        time_zone="Europe/London",
        place="Riverside Court, front entrance",
    )
    events.create_event(
        ana,
        organisation,
        title="Study session: rent strikes in history",
        kind="study",
        starts_at=start + timedelta(days=2),
        ends_at=start + timedelta(days=2, hours=1, minutes=30),
        time_zone="Europe/London",
        link_="https://meet.example.org/study",
    )
    for hour, (least, most) in ((7, (6, 15)), (8, (4, 10))):
        shift_start = watch.replace(hour=hour, minute=30 if hour == 8 else 0)
        tasks.create_task(
            ana,
            organisation,
            event=watch_event,
            title=f"Front door, from {shift_start:%H:%M}",
            min_people=least,
            max_people=most,
            starts_at=shift_start,
            ends_at=shift_start + timedelta(minutes=90),
        )
    leaflets = tasks.create_task(
        ana,
        organisation,
        struggle=strike,
        title="Put the strike leaflet through every door of the block",
        min_people=2,
        max_people=4,
    )
    for tenant in tenants.order_by("-pk")[:2]:
        tasks.sign_up(tenant, leaflets)
    call = solidarity.ask(
        ana,
        strike,
        kind="people",
        title="Twenty people for the eviction watch",
        quantity=20,
        deadline=clock.real_now() + timedelta(days=8),
        on_date=watch.date(),
        branches=["kingsport", "westfield"],
        details="Bailiffs are expected at seven. Bring a flask.",
    )
    # Kingsport's organiser, elected by the branch with the first executive.
    term = (
        Term.objects.current()
        .filter(office__title="Kingsport organiser", office__body__organisation=organisation)
        .select_related("member")
        .first()
    )
    organiser = term.member if term else None
    if organiser is not None:
        clock.advance(hours=5)
        solidarity.respond(
            organiser, call, branch="kingsport", amount=8, note="A minibus leaves at 6:15."
        )
    clock.now = clock.real_now()


def struggle_tables(organisation) -> list:
    """What ``remove_demo`` wipes for this app, dependants first (it deletes table by table)."""
    from tribune.struggles import models as s

    member = {"member__organisation": organisation}
    org = {"organisation": organisation}
    return [
        s.Notice.objects.filter(**member),
        s.NoticePreference.objects.filter(**member),
        s.CalendarToken.objects.filter(**member),
        s.TaskSignup.objects.filter(task__organisation=organisation),
        s.Task.objects.filter(**org),
        s.Signup.objects.filter(event__organisation=organisation),
        s.Commitment.objects.filter(pledge__organisation=organisation),
        s.SolidarityResponse.objects.filter(request__organisation=organisation),
        s.SolidarityRequest.asked_branches.through.objects.filter(
            solidarityrequest__organisation=organisation
        ),
        s.SolidarityRequest.objects.filter(**org),
        s.Event.objects.filter(**org),
        s.Pledge.objects.filter(**org),
        s.StruggleUpdate.objects.filter(struggle__organisation=organisation),
        s.Struggle.objects.filter(**org),
    ]
