"""A small congress from tabling to the programme's new version."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tribune.assemblies import services
from tribune.assemblies.minutes import write as write_minutes
from tribune.assemblies.models import Amendment, Assembly, Motion
from tribune.assemblies.tests.sitting import in_session
from tribune.lib import events
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office

HOUSING = "1. Rents are frozen.\n2. Repairs within 14 days.\n3. No evictions in winter.\n"


@pytest.fixture
def congress(world):
    body = create_body(world.org, name="Conference committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body, title="Convenor", mandate="Convene the congress.", powers=["convene_assemblies"]
    )
    begin_term(office, world.ana, source=TermSource.ELECTION)
    now = timezone.now()
    services.found_programme(
        world.org,
        [
            ("housing", "Housing", HOUSING),
            ("work", "Work", "1. A living wage.\n"),
        ],
    )
    assembly = services.convene(
        world.ana,
        world.root,
        title="First congress",
        kind=Assembly.Kind.GENERAL,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        motions_deadline=now - timedelta(days=2),
        chair=world.eli,
        proxies_allowed=True,
    )
    return assembly


def _table(world, assembly, **kwargs):
    with mock.patch(
        "django.utils.timezone.now", return_value=assembly.motions_deadline - timedelta(days=1)
    ):
        return services.table_motion(
            world.ben, assembly, title="Housing demands", text=HOUSING.strip(), **kwargs
        )


def _amend(world, motion, start, end, text, who=None):
    with mock.patch("django.utils.timezone.now", return_value=motion.assembly.motions_deadline):
        return services.table_amendment(
            who or world.cam, motion, start=start, end=end, new_text=text
        )


def test_convening_needs_the_power_and_the_chair_holds_a_mandate(world, congress):
    now = timezone.now()
    with pytest.raises(NotPermitted):
        services.convene(
            world.ben,
            world.root,
            title="x",
            kind="general",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            motions_deadline=now,
            chair=world.ben,
        )
    assert services.chair_term(world.eli, congress).office == congress.chair_office
    with pytest.raises(NotPermitted, match="chair"):
        services.add_agenda_item(world.ana, congress, title="Reports")


def test_motions_and_amendments_close_at_the_deadline(world, congress):
    motion = _table(world, congress, programme_section="housing")
    with pytest.raises(RuleViolation, match="deadline"):
        services.table_motion(world.ben, congress, title="Late", text="Too late.")
    with pytest.raises(RuleViolation, match="deadline"):
        services.table_amendment(world.cam, motion, start=1, end=1, new_text="x")
    with pytest.raises(RuleViolation, match="not in this motion of 3 lines"):
        _amend(world, motion, 3, 4, "x")


def test_overlapping_amendments_are_flagged(world, congress):
    motion = _table(world, congress)
    _amend(world, motion, 1, 2, "1. Rents are cut.")
    _amend(world, motion, 2, 2, "2. Repairs within 7 days.")
    assert services.conflicting_amendments(motion) == [("A1", "A2")]


def _seat(world, congress):
    services.seat_participants(world.eli, congress)
    in_session(world.eli, congress)
    return {p.member: p for p in congress.participants.all()}


def test_vote_on_an_amendment_merges_it_and_the_motion_rewrites_the_programme(
    world, congress, django_capture_on_commit_callbacks
):
    motion = _table(world, congress, programme_section="housing")
    a1 = _amend(world, motion, 2, 2, "2. Repairs within 7 days.")
    a2 = _amend(world, motion, 2, 3, "2. Repairs whenever.")
    _amend(world, motion, 3, 3, "3. No evictions at all.")
    _seat(world, congress)
    vote = services.open_vote(world.eli, congress, amendment=a1)
    with pytest.raises(RuleViolation, match="Not while a vote is open"):
        services.open_vote(world.eli, congress, motion=motion)
    for member in (world.ben, world.cam, world.ana):
        services.cast_live_vote(member, vote, "yes")
    services.cast_live_vote(world.dana, vote, "no")
    with pytest.raises(RuleViolation, match="already voted"):
        services.cast_live_vote(world.dana, vote, "yes")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.close_vote(world.eli, vote)
    assert callbacks, "the result is pushed to browsers after commit"
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert a1.status == Amendment.Status.ADOPTED
    assert a2.status == Amendment.Status.FALLEN  # touched the same line
    assert "2. Repairs within 7 days." in motion.current().text
    assert motion.current().number == 2
    vote = services.open_vote(world.eli, congress, motion=motion)
    for member in (world.ben, world.cam, world.ana, world.eli):
        services.cast_live_vote(member, vote, "yes")
    services.close_vote(world.eli, vote)
    motion.refresh_from_db()
    assert motion.status == Motion.Status.ADOPTED
    version = world.org.programme.current()
    assert version.number == 2 and version.motion == motion and version.vote == vote.election
    assert "within 7 days" in version.sections.get(key="housing").text
    assert version.sections.get(key="work").text == "1. A living wage.\n"
    assert "Housing demands" in write_minutes(congress)


def test_weights_and_proxies_count_exactly(world, congress):
    motion = _table(world, congress)
    seats = _seat(world, congress)
    seats[world.ben].weight = 10
    seats[world.ben].save()
    services.give_proxy(seats[world.cam], seats[world.ben])
    vote = services.open_vote(world.eli, congress, motion=motion)
    with pytest.raises(RuleViolation, match="Not while a vote is open"):
        services.revoke_proxy(seats[world.cam])
    assert services.cast_live_vote(world.ben, vote, "no") == 11  # own 10 + cam's 1
    with pytest.raises(RuleViolation, match="gave your vote by proxy"):
        services.cast_live_vote(world.cam, vote, "yes")
    for member in (world.ana, world.eli, world.dana):
        services.cast_live_vote(member, vote, "yes")
    services.close_vote(world.eli, vote)
    assert services.vote_counts(vote.election) == {"yes": 3, "no": 11, "abstain": 0}
    named = {n.participant.member: (n.choice, n.ballots) for n in vote.named.all()}
    assert named[world.cam] == ("no", 1)  # named vote: the proxy is on record


def test_secret_votes_keep_no_names(world, congress):
    congress.secret_votes = True
    congress.save()
    motion = _table(world, congress)
    _seat(world, congress)
    vote = services.open_vote(world.eli, congress, motion=motion)
    services.cast_live_vote(world.ben, vote, "yes")
    assert not vote.named.exists()


def test_speakers_list_follows_standing_orders(world, congress):
    _seat(world, congress)
    item = services.add_agenda_item(world.eli, congress, title="Housing")
    services.set_current_item(world.eli, item)
    services.request_to_speak(world.ben, item)
    services.request_to_speak(world.cam, item)
    first = services.next_speaker(world.eli, item)
    assert first.participant.member == world.ben
    services.request_to_speak(world.ben, item)  # ben again: a repeat speaker
    services.request_to_speak(world.ana, item, point_of_order=True)
    names = [r.participant.member for r in services.speakers_list(item)]
    assert names == [world.ana, world.cam, world.ben]
    with pytest.raises(RuleViolation, match="already on the list"):
        services.request_to_speak(world.cam, item)


def test_in_process_events_reach_listeners():
    import asyncio
    import threading

    async def scenario():
        stream = events.listen("test-channel")
        first = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0)
        events._deliver_locally("test-channel", '{"event": "x"}')
        return await asyncio.wait_for(first, 1)

    # Its own thread and loop: Playwright's sync API may own this thread's loop.
    result = {}
    thread = threading.Thread(target=lambda: result.update(message=asyncio.run(scenario())))
    thread.start()
    thread.join(5)
    assert result["message"] == '{"event": "x"}'


def test_vote_progress_is_coalesced_and_the_last_count_always_arrives():
    """Thousands of ballots must not mean thousands of pushes to every connection."""
    import time

    sent = []
    with (
        mock.patch.object(services.progress, "PROGRESS_SECONDS", 0.2),
        mock.patch.object(events, "send_now", lambda c, e, d: sent.append(d["cast"])),
    ):
        for cast in range(1, 51):
            services._push_progress("assembly-0", -1, lambda cast=cast: cast)
        assert sent == [1]  # the first at once, the rest wait for the interval
        deadline = time.monotonic() + 5
        while len(sent) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert sent == [1, 50]


def test_vote_progress_slows_down_as_more_browsers_listen():
    """Pushes to every connection are budgeted: more listeners, fewer progress events."""
    import time

    sent = []
    with (
        mock.patch.object(services.progress, "PROGRESS_SECONDS", 0.1),
        mock.patch.object(services.progress, "PROGRESS_DELIVERIES_PER_SECOND", 10),
        mock.patch.object(events, "subscriber_count", lambda chan: 15),  # 1.5 s apart
        mock.patch.object(events, "send_now", lambda c, e, d: sent.append(d["cast"])),
    ):
        services._push_progress("assembly-0", -2, lambda: 1)
        services._push_progress("assembly-0", -2, lambda: 2)
        time.sleep(0.6)
        assert sent == [1]  # at 0.1 s apart the second would have gone long ago
        deadline = time.monotonic() + 5
        while len(sent) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert sent == [1, 2]


def test_chairs_and_returning_officers_sit_in_their_own_bodies(world, congress, office):
    from tribune.elections import services as elections

    election = elections.call_election(world.ana, office=office, returning_officer=world.eli)
    assert election.returning_office.body.slug == "returning-officers"
    assert congress.chair_office.body.slug == "assembly-chairs"
    assert election.returning_office.terms.get().member == world.eli
