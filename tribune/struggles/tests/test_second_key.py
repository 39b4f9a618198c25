"""The pledge's second key and its per-unit targets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tribune.audit.models import AuditEntry
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.models import Member, Standing
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office
from tribune.struggles.models import Commitment, Notice, Pledge, PledgeState, PledgeUnit
from tribune.struggles.services import pledges


def _members(world, n: int, start: int = 0) -> list[Member]:
    return [
        Member.objects.create(
            organisation=world.org,
            home_branch=world.millbrook,
            name=f"Tenant {i}",
            email=f"t{i}@test.org",
            standing=Standing.GOOD,
        )
        for i in range(start, start + n)
    ]


@pytest.fixture
def strike_committee(world):
    body = create_body(world.org, name="Strike committee", kind=BodyKind.COMMITTEE)
    office = create_office(body, title="Strike committee member", mandate="Decide the go.")
    begin_term(office, world.dana, source=TermSource.ELECTION)
    return body


def _pledge(world, organiser, **kwargs) -> Pledge:
    return pledges.create_pledge(
        organiser,
        world.org,
        action="Strike at the depot",
        threshold=kwargs.pop("threshold", 3),
        deadline=timezone.now() + timedelta(days=7),
        **kwargs,
    )


def _reach(pledge, people, **kwargs):
    for m in people:
        pledges.make_pledge(m, pledge, **kwargs)
    pledge.refresh_from_db()
    return pledge


def test_a_body_gives_the_go_after_the_number_is_reached(
    world, organiser, strike_committee, django_capture_on_commit_callbacks
):
    pledge = _pledge(
        world, organiser, second_key="body", decider=strike_committee.slug, decide_hours=48
    )
    people = _members(world, 3)
    _reach(pledge, people[:2])
    with pytest.raises(RuleViolation):
        pledges.decide_go(world.dana, pledge, True)  # nothing to decide before the number
    with django_capture_on_commit_callbacks(execute=True):  # told once the trigger commits
        _reach(pledge, people[2:])
    assert pledge.state() == PledgeState.AWAITING
    assert pledge.decide_by is not None
    told = Notice.objects.filter(key=f"pledge:{pledge.pk}:triggered")
    assert told.count() == 3 and "Strike committee" in told.first().text
    with pytest.raises(NotPermitted):
        pledges.decide_go(world.ben, pledge, True)  # not a member of the body
    pledges.decide_go(world.dana, pledge, True)
    pledge.refresh_from_db()
    assert pledge.state() == PledgeState.TRIGGERED
    decided = Notice.objects.filter(key=f"pledge:{pledge.pk}:decided")
    assert set(decided.values_list("member_id", flat=True)) == {m.pk for m in people}
    entry = AuditEntry.objects.get(action="pledge.decided")
    assert entry.actor_id == world.dana.pk and entry.data["go"] is True
    with pytest.raises(RuleViolation):
        pledges.decide_go(world.dana, pledge, False)  # decided is decided


def test_a_body_that_gives_no_go_in_time_has_given_none(world, organiser, strike_committee):
    pledge = _pledge(
        world, organiser, second_key="body", decider=strike_committee.slug, decide_hours=1
    )
    people = _reach(pledge, _members(world, 3, 10)), None
    pledge = people[0]
    later = timezone.now() + timedelta(hours=2)
    assert pledge.state(later) == PledgeState.CALLED_OFF  # read so, with no worker
    assert pledges.clock(later)["decided"] == 1
    assert pledges.clock(later)["decided"] == 0  # once
    pledge.refresh_from_db()
    assert pledge.go is False
    assert Notice.objects.filter(key=f"pledge:{pledge.pk}:decided").count() == 3


def test_the_pledgers_vote_the_go_privately(world, organiser):
    pledge = _pledge(world, organiser, threshold=4, second_key="vote", decide_hours=24)
    people = _members(world, 5, 20)
    _reach(pledge, people[:4])
    assert pledge.state() == PledgeState.AWAITING
    with pytest.raises(NotPermitted):
        pledges.vote_go(world.ben, pledge, True)  # only pledgers vote
    pledges.vote_go(people[0], pledge, True)
    pledges.vote_go(people[1], pledge, False)
    pledges.vote_go(people[1], pledge, True)  # a vote may change: still one vote
    pledge.refresh_from_db()
    assert (pledge.go_votes, pledge.stop_votes) == (2, 0)
    assert pledge.state() == PledgeState.AWAITING  # two of four: not yet more than half
    pledges.make_pledge(people[4], pledge)  # late, and may vote too
    assert Commitment.objects.get(member=people[4]).late
    pledges.vote_go(people[2], pledge, True)  # three of five: the go
    pledge.refresh_from_db()
    assert pledge.state() == PledgeState.TRIGGERED
    assert Notice.objects.filter(key=f"pledge:{pledge.pk}:decided").count() == 5
    entry = AuditEntry.objects.get(action="pledge.decided")
    assert entry.actor_id is None
    for m in people:
        assert m.name not in str(entry.data)


def test_a_vote_without_a_majority_is_counted_when_time_is_up(world, organiser):
    pledge = _pledge(world, organiser, threshold=4, second_key="vote", decide_hours=24)
    people = _members(world, 4, 30)
    _reach(pledge, people)
    pledges.vote_go(people[0], pledge, True)
    pledge.refresh_from_db()
    later = timezone.now() + timedelta(hours=25)
    assert pledge.state(later) == PledgeState.TRIGGERED  # 1 go, 0 stop
    pledges.settle(pledge, later)
    pledge.refresh_from_db()
    assert pledge.go is True and pledge.decided_at is not None


def test_withdrawing_a_vote_with_the_pledge(world, organiser):
    pledge = _pledge(world, organiser, threshold=3, second_key="vote", decide_hours=24)
    people = _members(world, 3, 40)
    _reach(pledge, people)
    pledges.vote_go(people[0], pledge, False)
    pledges.withdraw(people[0], pledge)
    pledge.refresh_from_db()
    assert (pledge.count, pledge.stop_votes) == (2, 0)
    assert pledge.state() == PledgeState.AWAITING  # the trigger stands


def test_second_key_choices_are_checked_by_field(world, organiser, strike_committee):
    cases = [
        ({"second_key": "coin"}, "second_key"),
        ({"second_key": "body", "decide_hours": 5}, "decider"),
        ({"second_key": "body", "decider": "nobody", "decide_hours": 5}, "decider"),
        ({"second_key": "vote"}, "decide_hours"),
        ({"second_key": "vote", "decide_hours": 0}, "decide_hours"),
        ({"decide_hours": 3}, "second_key"),
    ]
    for kwargs, field in cases:
        with pytest.raises(RuleViolation) as refused:
            _pledge(world, organiser, **kwargs)
        assert refused.value.field == field, kwargs
    assert not Pledge.objects.exists()


# --- per-unit targets ----------------------------------------------------------------------


def test_units_each_need_their_target(world, organiser):
    pledge = _pledge(
        world,
        organiser,
        threshold=3,
        units=[{"name": "Block A", "target": 2}, {"name": "Block B", "target": 1}],
    )
    people = _members(world, 4, 50)
    with pytest.raises(RuleViolation) as refused:
        pledges.make_pledge(people[0], pledge)
    assert refused.value.field == "unit"
    with pytest.raises(RuleViolation):
        pledges.make_pledge(people[0], pledge, unit="Block C")
    _reach(pledge, people[:3], unit="block a")  # three in A: the number, not B's target
    assert pledge.count == 3 and pledge.state() == PledgeState.OPEN
    pledges.make_pledge(people[3], pledge, unit="Block B")
    pledge.refresh_from_db()
    assert pledge.state() == PledgeState.TRIGGERED
    counts = {u["name"]: (u["count"], u["reached"]) for u in pledges.unit_counts(pledge)}
    assert counts == {"Block A": (3, True), "Block B": (1, True)}
    pledges.withdraw(people[3], pledge)
    assert PledgeUnit.objects.get(name="Block B").count == 0
    pledge.refresh_from_db()
    assert pledge.state() == PledgeState.TRIGGERED  # triggered stays triggered


def test_unit_targets_are_checked(world, organiser):
    for units, message in [
        ([{"name": "A", "target": 4}], "target"),
        ([{"name": "A", "target": 1}, {"name": "a", "target": 1}], "same"),
        ([{"name": "", "target": 1}], "required"),
        (["A"], "name"),
        ([{"name": f"U{i}", "target": 1} for i in range(51)], "at most"),
    ]:
        with pytest.raises(RuleViolation) as refused:
            _pledge(world, organiser, units=units)
        assert refused.value.field == "units"
        assert message in str(refused.value) or message in ("target",), (units, refused.value)
    assert not Pledge.objects.exists()


def test_the_api_takes_the_unit_and_the_go(world, organiser, client):
    from django.test import Client

    pledge = _pledge(
        world,
        organiser,
        threshold=2,
        units=[{"name": "Block A", "target": 1}, {"name": "Block B", "target": 1}],
        second_key="vote",
        decide_hours=12,
    )
    slug = world.org.slug
    url = f"/api/v1/organisations/{slug}/pledges/{pledge.pk}"
    ben, cam = Client(), Client()
    ben.force_login(world.users["ben"], backend="django.contrib.auth.backends.ModelBackend")
    cam.force_login(world.users["cam"], backend="django.contrib.auth.backends.ModelBackend")
    refused = ben.post(f"{url}/commitment")
    assert refused.status_code == 400 and refused.json()["detail"][0]["field"] == "unit"
    bad = ben.post(f"{url}/commitment", "{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["detail"][0]["field"] == "unit"
    made = ben.post(f"{url}/commitment", {"unit": "Block A"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["my_unit"] == "Block A"
    made = cam.post(f"{url}/commitment", {"unit": "Block B"}, content_type="application/json")
    body = made.json()
    assert body["state"] == "awaiting" and body["decide_by"] is not None
    assert [u["count"] for u in body["units"]] == [1, 1]
    voted = ben.post(f"{url}/go", {"go": True}, content_type="application/json")
    assert voted.json()["my_vote"] == "go" and voted.json()["state"] == "awaiting"
    assert cam.get(url).json()["my_vote"] is None  # a vote is its voter's alone
    voted = cam.post(f"{url}/go", {"go": True}, content_type="application/json")
    assert voted.json()["state"] == "triggered"
    public = Client().get(url).json()
    assert public["go_votes"] == 2 and public["mine"] is None and "Ben" not in str(public)


def test_concurrent_unit_pledges_and_votes_trigger_and_decide_exactly_once(
    live_world, live_organiser
):
    """Thirty pledgers in two units at once, then all voting at once: one trigger, one go."""
    import threading

    from django.db import close_old_connections

    world = live_world
    pledge = _pledge(
        world,
        live_organiser,
        threshold=10,
        units=[{"name": "Block A", "target": 5}, {"name": "Block B", "target": 5}],
        second_key="vote",
        decide_hours=24,
    )
    people = _members(world, 30, 100)
    errors: list[Exception] = []

    def in_threads(act):
        start = threading.Barrier(6)

        def run(batch):
            try:
                start.wait(10)
                for i, person in batch:
                    act(i, person, Pledge.objects.get(pk=pledge.pk))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                close_old_connections()

        numbered = list(enumerate(people))
        threads = [threading.Thread(target=run, args=(numbered[i::6],)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)

    in_threads(lambda i, m, p: pledges.make_pledge(m, p, unit="Block A" if i % 2 else "Block B"))
    assert not errors
    pledge.refresh_from_db()
    assert pledge.count == 30 and pledge.state() == PledgeState.AWAITING
    assert sorted(u.count for u in pledge.units.all()) == [15, 15]
    assert AuditEntry.objects.filter(action="pledge.triggered").count() == 1

    def vote(i, member, p):
        try:
            pledges.vote_go(member, p, True)
        except RuleViolation:
            pass  # the go was given by the sixteenth vote: later ones find nothing to decide

    in_threads(vote)
    assert not errors
    pledge.refresh_from_db()
    assert pledge.state() == PledgeState.TRIGGERED and pledge.go_votes == 16
    assert AuditEntry.objects.filter(action="pledge.decided").count() == 1
    decided = Notice.objects.filter(key=f"pledge:{pledge.pk}:decided")
    assert sorted(decided.values_list("member_id", flat=True)) == sorted(p.pk for p in people)
