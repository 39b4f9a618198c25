"""Events: sign-up, changes told to those signed up, reminders, and the calendar feeds."""

from datetime import timedelta

import icalendar
import pytest
import vobject
from django.urls import reverse
from django.utils import timezone

from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.struggles.models import Notice
from tribune.struggles.services import events
from tribune.struggles.services import struggles as struggle_services


@pytest.fixture
def meeting(world, organiser):
    start = timezone.now() + timedelta(days=2)
    return events.create_event(
        organiser,
        world.org,
        title="Tenants' meeting",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        time_zone="Europe/London",
        place="Mill Road community hall",
        link_="https://meet.example.org/tenants",
        capacity=2,
    )


def test_only_a_mandate_plans_and_bad_input_names_its_field(world, organiser):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(NotPermitted):
        events.create_event(
            world.ben,
            world.org,
            title="x",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            place="Hall",
        )
    for field, kwargs in [
        ("time_zone", {"time_zone": "Mars/Olympus"}),
        ("ends_at", {"ends_at": start - timedelta(hours=1)}),
        ("place", {"place": ""}),
        ("link", {"link_": "javascript:alert(1)"}),
    ]:
        base = {
            "title": "Meeting",
            "starts_at": start,
            "ends_at": start + timedelta(hours=1),
            "place": "Hall",
            **kwargs,
        }
        with pytest.raises(RuleViolation) as refused:
            events.create_event(organiser, world.org, **base)
        assert refused.value.field == field


def test_capacity_and_signup(world, meeting):
    events.sign_up(world.ben, meeting)
    events.sign_up(world.ben, meeting)  # twice is once
    events.sign_up(world.cam, meeting)
    with pytest.raises(RuleViolation):
        events.sign_up(world.eli, meeting)
    events.withdraw_signup(world.cam, meeting)
    events.sign_up(world.eli, meeting)


def test_a_change_of_time_tells_everyone_signed_up_and_raises_the_sequence(
    world, organiser, meeting
):
    events.sign_up(world.ben, meeting)
    changed = events.change_event(
        organiser,
        meeting,
        starts_at=meeting.starts_at + timedelta(hours=1),
        ends_at=meeting.ends_at + timedelta(hours=1),
    )
    assert changed.sequence == 1
    told = Notice.objects.filter(key__startswith=f"event:{meeting.pk}:changed")
    assert list(told.values_list("member_id", flat=True)) == [world.ben.pk]
    events.change_event(organiser, changed, description="Bring your tenancy agreement.")
    assert told.count() == 1  # not a change of time or place: nobody is disturbed
    events.cancel_event(organiser, changed, "The hall is flooded.")
    assert Notice.objects.filter(key=f"event:{meeting.pk}:cancelled").count() == 1


def test_reminders_go_only_to_those_signed_up_once_each(world, organiser, meeting):
    events.sign_up(world.ben, meeting)
    assert events.send_reminders(meeting.starts_at - timedelta(hours=25)) == 0
    assert events.send_reminders(meeting.starts_at - timedelta(hours=23)) == 1
    assert events.send_reminders(meeting.starts_at - timedelta(hours=22)) == 0
    assert events.send_reminders(meeting.starts_at - timedelta(minutes=30)) == 1
    reminded = set(
        Notice.objects.filter(key__contains=":reminder:").values_list("member_id", flat=True)
    )
    assert reminded == {world.ben.pk}
    # The organiser may still remind after the start, to those signed up only.
    assert events.remind_now(organiser, meeting, "We have started: come in.") == 1
    with pytest.raises(NotPermitted):
        events.remind_now(world.ben, meeting)


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content


def test_feeds_parse_with_two_parsers_keep_uids_and_raise_sequence(
    world, organiser, meeting, client
):
    url = reverse("web:calendar_feed", args=[world.org.slug])
    first = icalendar.Calendar.from_ical(_feed(client, url))
    (vevent,) = first.walk("VEVENT")
    uid = str(vevent["UID"])
    assert int(vevent["SEQUENCE"]) == 0 and str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["URL"]) == "https://meet.example.org/tenants"
    assert "https://meet.example.org/tenants" in str(vevent["DESCRIPTION"])
    assert str(vevent["DTSTART"].dt.tzinfo) == "Europe/London"
    events.change_event(organiser, meeting, place="The library")
    events.cancel_event(organiser, meeting)
    raw = _feed(client, url)
    (after,) = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert str(after["UID"]) == uid and int(after["SEQUENCE"]) == 2
    assert str(after["STATUS"]) == "CANCELLED" and str(after["LOCATION"]) == "The library"
    parsed = vobject.readOne(raw.decode())
    assert parsed.vevent.uid.value == uid and parsed.vevent.sequence.value == "2"
    assert parsed.vevent.status.value == "CANCELLED"


def test_branch_struggle_and_personal_feeds(world, organiser, client):
    struggle = struggle_services.start_struggle(
        organiser, world.org, title="Mill Road rent strike", branch=world.millbrook.slug
    )
    start = timezone.now() + timedelta(days=3)
    picket = events.create_event(
        organiser,
        world.org,
        title="Picket",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        place="Mill Road",
        struggle=struggle,
    )
    for url in (
        reverse("web:branch_calendar", args=[world.org.slug, world.north.slug]),
        reverse("web:struggle_calendar", args=[world.org.slug, struggle.pk]),
    ):
        assert b"Picket" in _feed(client, url)
    assert b"Picket" not in _feed(
        client, reverse("web:branch_calendar", args=[world.org.slug, world.south.slug])
    )
    events.sign_up(world.ben, picket)
    token = events.new_calendar_token(world.ben)
    personal = reverse("web:personal_calendar", args=[token])
    assert b"Picket" in _feed(client, personal)
    events.revoke_calendar_token(world.ben)
    assert client.get(personal).status_code == 404


def test_members_only_events_stay_out_of_public_feeds(world, organiser, client):
    start = timezone.now() + timedelta(days=3)
    events.create_event(
        organiser,
        world.org,
        title="Closed strategy meeting",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        place="Office",
        visibility="members",
    )
    assert b"Closed strategy" not in _feed(
        client, reverse("web:calendar_feed", args=[world.org.slug])
    )
