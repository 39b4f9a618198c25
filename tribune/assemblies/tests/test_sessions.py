"""An assembly bound by the constitution: session, check-in, quorum and majorities.

The world's constitution sets a quorum of 10% and a two-thirds amendment majority; the
hall is the five members of the test world (ana, dana, eli, ben, cam), one vote each.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tribune.assemblies import services, sessions
from tribune.assemblies.minutes import write as write_minutes
from tribune.assemblies.models import Amendment, Assembly, Motion, Participant, Session
from tribune.audit.models import AuditEntry
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office

TEXT = "1. Rents are frozen.\n2. Repairs within 14 days."


@pytest.fixture
def convenor(world):
    body = create_body(world.org, name="Conference committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body, title="Convenor", mandate="Convene the congress.", powers=["convene_assemblies"]
    )
    begin_term(office, world.ana, source=TermSource.ELECTION)
    return world.ana


def _convene(world, **orders) -> Assembly:
    now = timezone.now()
    return services.convene(
        world.ana,
        world.root,
        title="Congress",
        kind=Assembly.Kind.GENERAL,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        motions_deadline=now - timedelta(days=1),
        chair=world.eli,
        proxies_allowed=True,
        **orders,
    )


@pytest.fixture
def congress(world, convenor) -> Assembly:
    """Sitting today; a quorum of 60% in the standing orders (stricter than the 10%)."""
    assembly = _convene(world, quorum_percent=60)
    services.seat_participants(world.eli, assembly)
    return assembly


def _motion(world, assembly, title="Rents", **kwargs) -> Motion:
    with mock.patch("django.utils.timezone.now", return_value=assembly.motions_deadline):
        return services.table_motion(world.ben, assembly, title=title, text=TEXT, **kwargs)


def _seats(assembly) -> dict:
    return {p.member.name: p for p in assembly.participants.select_related("member")}


def _check_in(world, assembly, *names, presence="present", holder=None):
    seats = _seats(assembly)
    holder = seats[holder] if holder else None
    sessions.check_in(world.eli, assembly, [seats[n] for n in names], presence, holder=holder)


def test_a_vote_outside_session_is_refused(world, congress):
    early = Assembly.objects.get(pk=congress.pk)  # a copy read before the session opened
    motion = _motion(world, congress)
    _check_in(world, congress, "Ana", "Ben", "Cam", "Dana")
    with pytest.raises(RuleViolation, match="^The assembly is not in session: the chair opens"):
        services.open_vote(world.eli, congress, motion=motion)
    item = services.add_agenda_item(world.eli, congress, title="Rents")
    for title in ("Strike", "Ballot"):
        Motion.objects.filter(pk=_motion(world, congress, title=title).pk).update(agenda_item=item)
    with pytest.raises(RuleViolation, match="not in session"):
        services.open_ranking_vote(world.eli, item)
    with pytest.raises(NotPermitted, match="Only the chair"):
        sessions.open_session(world.ben, congress)
    sessions.open_session(world.eli, congress)
    with pytest.raises(RuleViolation, match="already in session"):
        sessions.open_session(world.eli, congress)
    sessions.suspend_session(world.eli, congress)
    with pytest.raises(RuleViolation, match="^The session is suspended: no vote opens until"):
        services.open_vote(world.eli, congress, motion=motion)
    with pytest.raises(RuleViolation, match="suspended: resume it"):
        sessions.open_session(world.eli, congress)
    sessions.resume_session(world.eli, congress)
    vote = services.open_vote(world.eli, congress, motion=motion)
    assert vote.session.number == 2  # a new sitting after the suspension
    with pytest.raises(RuleViolation, match="Not while a vote is open"):
        sessions.suspend_session(world.eli, congress)
    services.close_vote(world.eli, vote)
    services.close_assembly(world.eli, early)  # reads the status afresh
    assert [s.ended_how for s in congress.sessions.all()] == ["suspended", "closed"]
    late = _motion(world, congress, title="Late")
    with pytest.raises(RuleViolation, match="This assembly is closed."):
        services.open_vote(world.eli, congress, motion=late)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "assembly.session_opened",
        "assembly.session_suspended",
        "assembly.session_resumed",
        "assembly.attendance",
    } <= actions
    opened = AuditEntry.objects.get(action="assembly.session_opened")
    assert opened.term.office == congress.chair_office  # the chair's mandate, on record


def test_a_vote_outside_the_assemblys_dates_is_refused(world, congress):
    motion = _motion(world, congress)
    _check_in(world, congress, "Ana", "Ben", "Cam", "Dana")
    sessions.open_session(world.eli, congress)
    Assembly.objects.filter(pk=congress.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    congress.refresh_from_db()
    with pytest.raises(RuleViolation, match="votes are taken only within those dates"):
        services.open_vote(world.eli, congress, motion=motion)
    later = _convene(world)
    Assembly.objects.filter(pk=later.pk).update(starts_at=timezone.now() + timedelta(days=2))
    later.refresh_from_db()
    with pytest.raises(RuleViolation, match="The assembly meets from .* it sits only within"):
        sessions.open_session(world.eli, later)
    assert not later.sessions.exists()


def test_a_vote_opens_only_with_the_quorum_present(world, congress):
    motion = _motion(world, congress)
    _check_in(world, congress, "Ana", "Ben")
    sessions.open_session(world.eli, congress)  # the session may open; votes may not
    with pytest.raises(RuleViolation) as refused:
        services.open_vote(world.eli, congress, motion=motion)
    assert refused.value.message == "No quorum: 2 of 5 present; quorum is 3."
    _check_in(world, congress, "Cam")
    assert services.open_vote(world.eli, congress, motion=motion).quorum == 3


def test_a_vote_below_quorum_at_the_close_is_not_quorate_and_carries_nothing(world, congress):
    motion = _motion(world, congress)
    _check_in(world, congress, "Ana", "Ben", "Cam", "Dana")
    sessions.open_session(world.eli, congress)
    vote = services.open_vote(world.eli, congress, motion=motion)
    services.cast_live_vote(world.ben, vote, "yes")
    services.cast_live_vote(world.ana, vote, "yes")  # 2 of the 3 the quorum needs
    services.close_vote(world.eli, vote)
    vote.refresh_from_db()
    motion.refresh_from_db()
    assert vote.quorate is False and vote.election.passed is False
    assert vote.election.result["outcome"] == "no quorum"
    assert sessions.outcome(vote) == "not quorate" and sessions.outcome_label(vote) == "Not quorate"
    assert motion.status == Motion.Status.TABLED  # undecided: it may be put again
    minutes = write_minutes(congress)
    assert "yes 2, no 0, abstain 0 — **not quorate**" in minutes
    again = services.open_vote(world.eli, congress, motion=motion)
    for member in (world.ben, world.ana, world.cam):
        services.cast_live_vote(member, again, "abstain" if member == world.cam else "yes")
    services.close_vote(world.eli, again)  # abstentions count towards the quorum
    motion.refresh_from_db()
    assert motion.status == Motion.Status.ADOPTED


def test_only_those_present_vote_and_proxies_count_through_a_holder_present(world, congress):
    seats = _seats(congress)
    Participant.objects.filter(pk=seats["Ben"].pk).update(weight=3)
    _check_in(world, congress, "Ben", "Ana")
    _check_in(world, congress, "Cam", presence="proxy", holder="Ben")
    _check_in(world, congress, "Dana", presence="proxy", holder="Eli")  # Eli is not here
    hall = sessions.attendance(congress)
    assert (hall.entitled, hall.in_person, hall.by_proxy, hall.present) == (7, 4, 1, 5)
    assert hall.quorum == 5 and hall.quorate  # 60% of 7 is 4.2: five votes
    assert sessions.presence_of(seats["Cam"]) == "proxy"
    with pytest.raises(NotPermitted, match="Only the chair"):
        sessions.check_in(world.ben, congress, [seats["Cam"]], "present")
    with pytest.raises(RuleViolation, match="Check in as present, absent or proxy."):
        sessions.check_in(world.ben, congress, [seats["Ben"]], "maybe")
    with pytest.raises(RuleViolation, match="Name the participant who holds the vote."):
        sessions.check_in(world.ben, congress, [seats["Ben"]], "proxy")
    sessions.check_in(world.eli, congress, [seats["Eli"]], "present")  # Eli comes in
    assert sessions.attendance(congress).present == 7
    sessions.check_in(world.dana, congress, [seats["Dana"]], "present")  # takes her vote back
    assert sessions.presence_of(seats["Dana"]) == "present"
    sessions.check_in(world.ana, congress, [seats["Ana"]], "absent")  # Ana leaves
    assert sessions.attendance(congress).present == 6
    sessions.open_session(world.eli, congress)
    motion = _motion(world, congress)
    vote = services.open_vote(world.eli, congress, motion=motion)
    with pytest.raises(RuleViolation, match="Check in as present first"):
        services.cast_live_vote(world.ana, vote, "yes")
    with pytest.raises(RuleViolation, match="gave your vote by proxy"):
        services.cast_live_vote(world.cam, vote, "yes")
    assert services.cast_live_vote(world.ben, vote, "yes") == 4  # own 3 and Cam's 1
    with pytest.raises(RuleViolation, match="Not while a vote is open"):
        sessions.check_in(world.cam, congress, [seats["Cam"]], "present")
    sessions.check_in(world.eli, congress, [seats["Dana"]], "absent")  # leaving is allowed


def test_the_standing_orders_may_raise_the_quorum_never_lower_it(world, convenor):
    with pytest.raises(RuleViolation) as refused:
        _convene(world, quorum_percent=5)
    assert refused.value.message == (
        "The standing orders may raise the quorum, not lower it below the constitution's 10%."
    )
    with pytest.raises(RuleViolation, match="between 0% and 100%"):
        _convene(world, quorum_percent=101)
    with pytest.raises(RuleViolation, match="Choose a majority"):
        _convene(world, majority="whatever")
    assembly = _convene(world)
    assert sessions.quorum_percent(assembly) == 10  # the constitution's


def _decide(world, assembly, yes: int, no: int, **subject):
    vote = services.open_vote(world.eli, assembly, **subject)
    people = [world.ana, world.ben, world.cam, world.dana, world.eli]
    for member, choice in zip(people, ["yes"] * yes + ["no"] * no, strict=False):
        services.cast_live_vote(member, vote, choice)
    services.close_vote(world.eli, vote)
    vote.refresh_from_db()
    return vote


def test_a_constitutional_motion_needs_the_constitutions_majority(world, convenor):
    assembly = _convene(world)
    services.seat_participants(world.eli, assembly)
    _check_in(world, assembly, "Ana", "Ben", "Cam", "Dana", "Eli")
    sessions.open_session(world.eli, assembly)
    change = _motion(world, assembly, title="Recall at 15%", amends_constitution=True)
    with mock.patch("django.utils.timezone.now", return_value=assembly.motions_deadline):
        amendment = services.table_amendment(world.cam, change, start=2, end=2, new_text="2. X")
    vote = _decide(world, assembly, 3, 2, amendment=amendment)  # 60%: short of two thirds
    assert vote.election.motion_rule["threshold"] == "2/3"
    assert (
        "as the constitution requires for constitutional change"
        in (vote.election.motion_rule["name"])
    )
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.REJECTED and not vote.election.passed
    vote = _decide(world, assembly, 3, 2, motion=change)
    change.refresh_from_db()
    assert change.status == Motion.Status.REJECTED
    ordinary = _motion(world, assembly, title="Repairs")
    vote = _decide(world, assembly, 3, 2, motion=ordinary)  # a simple majority suffices
    assert vote.election.passed and vote.election.motion_rule["threshold"] == "1/2"
    minutes = write_minutes(assembly)
    assert "2/3 majority of the yes and no votes, as the constitution requires" in minutes
    assert "(amends the constitution)" in minutes


def test_the_chair_cannot_lower_the_majority_and_stricter_standing_orders_apply(world, convenor):
    import inspect

    assert "supermajority" not in inspect.signature(services.open_vote).parameters
    from tribune.constitution.services import adopt

    adopt(world.org, {"programme_by_amendment_majority": True}, how="test")
    assembly = _convene(world, majority="two-thirds")
    services.seat_participants(world.eli, assembly)
    _check_in(world, assembly, "Ana", "Ben", "Cam", "Dana", "Eli")
    sessions.open_session(world.eli, assembly)
    services.found_programme(world.org, [("housing", "Housing", TEXT)])
    programme = _motion(world, assembly, title="Housing", programme_section="housing")
    rule = sessions.majority_rule(assembly, programme)
    assert rule["threshold"] == "2/3" and "changes to the programme" in rule["name"]
    ordinary = _motion(world, assembly, title="Repairs")
    vote = _decide(world, assembly, 3, 2, motion=ordinary)  # the standing orders: 2/3
    assert not vote.election.passed
    assert vote.election.motion_rule["name"] == "two-thirds majority of the yes and no votes"


def test_the_minutes_record_sessions_attendance_speakers_texts_and_rules(world, congress):
    motion = _motion(world, congress)
    with mock.patch("django.utils.timezone.now", return_value=congress.motions_deadline):
        amendment = services.table_amendment(
            world.cam, motion, start=2, end=2, new_text="2. Repairs within 7 days."
        )
    item = services.add_agenda_item(world.eli, congress, title="Housing")
    Motion.objects.filter(pk=motion.pk).update(agenda_item=item)
    _check_in(world, congress, "Ana", "Ben", "Cam")
    _check_in(world, congress, "Dana", presence="proxy", holder="Ana")
    sessions.open_session(world.eli, congress)
    services.set_current_item(world.eli, item)
    services.request_to_speak(world.ben, item)
    services.request_to_speak(world.cam, item, point_of_order=True)
    services.next_speaker(world.eli, item)
    services.next_speaker(world.eli, item)
    vote = services.open_vote(world.eli, congress, amendment=amendment)
    assert services.cast_live_vote(world.ana, vote, "yes") == 2  # with Dana's proxy
    services.cast_live_vote(world.ben, vote, "yes")
    services.cast_live_vote(world.cam, vote, "yes")
    services.close_vote(world.eli, vote)
    sessions.suspend_session(world.eli, congress)
    minutes = write_minutes(congress)
    assert "Chair: Eli" in minutes
    assert "### Session 1:" in minutes and "suspended" in minutes
    assert "4 of 5 votes present (3 in person, 1 by proxy); quorum 3 (60%): quorate" in minutes
    assert "Present: Ana, Ben, Cam" in minutes and "Dana (held by Ana)" in minutes
    assert "Speakers: Cam (point of order), Ben" in minutes
    assert "> 1. Rents are frozen." in minutes  # the motion's text as tabled
    assert "> 2. Repairs within 7 days." in minutes  # the amendment's text
    assert "**A1** (lines 2–2, Cam): Adopted" in minutes
    assert "yes 4, no 0, abstain 0 — **carried** (majority: simple majority" in minutes
    assert "quorum 3 of 5 (4 present at the opening)" in minutes
    assert Session.objects.get().attendance_at_end["present"] == 4


def test_check_ins_at_the_door_push_coalesced_attendance(
    world, congress, django_capture_on_commit_callbacks
):
    """Thousands checking in must not mean thousands of pushes to every open page."""
    from tribune.lib import events

    sent = []
    with (
        mock.patch.object(services.progress, "PROGRESS_SECONDS", 30),
        mock.patch.object(events, "send_now", lambda c, e, d: sent.append((e, d["present"]))),
    ):
        for name in ("Ana", "Ben", "Cam"):
            with django_capture_on_commit_callbacks(execute=True):
                _check_in(world, congress, name)
        timer = services._progress[("attendance", congress.pk)]["timer"]
        assert sent == [("attendance", 1)] and timer is not None  # the rest wait
        timer.cancel()
        services._flush_progress(services.channel(congress), ("attendance", congress.pk))
    assert sent == [("attendance", 1), ("attendance", 3)]  # the last figure arrives


def test_a_carried_congress_motion_brings_its_change_to_the_structure_into_force(world, convenor):
    from tribune.constitution import structure as structures
    from tribune.offices.models import Office

    version = world.org.current_constitution()
    structure, key = structures.add_body([], name="Executive committee", kind="committee")
    structure, _ = structures.put_office(
        structure, version, key, title="Secretary", mandate="Keep the records."
    )
    assembly = _convene(world)
    with pytest.raises(RuleViolation, match="no mandate"):
        broken = structures.remove_office(structure, key, "secretary")
        broken[0]["offices"] = [{**structure[0]["offices"][0], "mandate": ""}]
        _motion(world, assembly, constitution_change={"structure": broken})
    motion = _motion(
        world, assembly, title="An executive", constitution_change={"structure": structure}
    )
    assert motion.amends_constitution  # and so it needs the constitution's majority
    services.seat_participants(world.eli, assembly)
    _check_in(world, assembly, "Ana", "Ben", "Cam", "Dana", "Eli")
    sessions.open_session(world.eli, assembly)
    _decide(world, assembly, 3, 2, motion=motion)  # 60%: short of two thirds
    assert world.org.current_constitution().number == version.number
    again = _motion(world, assembly, title="Again", constitution_change={"structure": structure})
    _decide(world, assembly, 4, 1, motion=again)
    adopted = world.org.current_constitution()
    assert adopted.number == version.number + 1 and "Adopted by Congress" in adopted.adopted_how
    assert adopted.structure_provisional_until is None
    assert Office.objects.filter(key="secretary", abolished_at__isnull=True).exists()


def test_a_branch_assembly_cannot_amend_the_constitution(world, convenor):
    now = timezone.now()
    assembly = services.convene(
        world.ana,
        world.north,
        title="North meeting",
        kind=Assembly.Kind.GENERAL,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=2),
        motions_deadline=now + timedelta(hours=1),
        chair=world.eli,
    )
    with pytest.raises(RuleViolation, match="whole organisation"):
        services.table_motion(
            world.ben, assembly, title="X", text="X", constitution_change={"term_limit": 1}
        )


def test_a_congress_elects_the_offices_the_structure_gives_it(world, convenor):
    from tribune.constitution import services as constitution
    from tribune.constitution import structure as structures
    from tribune.elections import services as elections
    from tribune.elections.models import Election, Status
    from tribune.offices.models import Office, Term

    version = world.org.current_constitution()
    structure, key = structures.add_body([], name="Executive committee", kind="committee")
    structure, _ = structures.put_office(
        structure,
        version,
        key,
        title="Chair of the organisation",
        mandate="Chair the executive.",
        electorate={"kind": "congress"},
    )
    constitution.set_up_structure(world.ana, world.org, structure, summary="a chair")
    chair_office = Office.objects.get(key="chair-of-the-organisation")
    assert chair_office.electorate_kind == "congress"
    assert elections.schedule_elections() == []  # not a members' ballot: the congress's
    with pytest.raises(RuleViolation, match="elected by a congress"):
        elections.call_election(world.ana, office=chair_office)
    now = timezone.now()
    congress = services.convene(
        world.ana,
        world.root,
        title="Congress",
        kind=Assembly.Kind.GENERAL,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=4),
        motions_deadline=now + timedelta(days=1),
        chair=world.eli,
    )
    with pytest.raises(NotPermitted):
        services.call_congress_elections(world.ben, congress)
    (election,) = services.call_congress_elections(world.eli, congress)
    assert election.nominations_close_at == congress.starts_at == election.voting_open_at
    assert services.call_congress_elections(world.eli, congress) == []  # once
    candidacy = elections.nominate(world.cam, election, world.cam)
    elections.accept_nomination(world.cam, candidacy)
    services.seat_participants(world.eli, congress)
    Participant.objects.filter(assembly=congress, member=world.dana).delete()  # not seated
    sitting = congress.starts_at + timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=sitting):
        election = elections.advance(Election.objects.get(pk=election.pk))
        assert election.status == Status.VOTING
        assert world.dana not in elections.electorate(election)  # participants only
        assert world.ben in elections.electorate(election)
        for member in (world.ana, world.ben):
            elections.cast_ballot(member, election, [candidacy.pk])
    election = elections.advance(Election.objects.get(pk=election.pk), congress.ends_at)
    assert election.status == Status.CERTIFIED
    assert Term.objects.filter(office=chair_office, member=world.cam).exists()
