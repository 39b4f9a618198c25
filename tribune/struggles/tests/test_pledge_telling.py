"""The trigger's notices: written after the trigger commits, each pledger told exactly once.

The N-th pledge's transaction writes the trigger and an empty ``trigger_told_at``
(the durable to-do), no notice; the task queued after the commit (or the clock,
if that request is lost) writes them in batches. A retried or doubled run tells
no one twice; a run that dies midway is finished by the next.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tribune.members.models import Member, Standing
from tribune.struggles import tasks
from tribune.struggles.models import Notice, Pledge
from tribune.struggles.services import notices, pledges


def _members(world, n: int) -> list[Member]:
    return Member.objects.bulk_create(
        [
            Member(
                organisation=world.org,
                home_branch=world.millbrook,
                name=f"Teller {i}",
                email=f"teller{i}@test.org",
                standing=Standing.GOOD,
            )
            for i in range(n)
        ]
    )


def _pledge(world, organiser, threshold: int) -> Pledge:
    return pledges.create_pledge(
        organiser,
        world.org,
        action="Withhold rent",
        threshold=threshold,
        deadline=timezone.now() + timedelta(days=7),
    )


def _told(pledge: Pledge) -> list[int]:
    key = f"pledge:{pledge.pk}:triggered"
    return sorted(Notice.objects.filter(key=key).values_list("member_id", flat=True))


def test_the_trigger_commits_without_notices_and_the_queued_task_tells_each_once(
    world, organiser, django_capture_on_commit_callbacks
):
    pledge = _pledge(world, organiser, threshold=5)
    people = _members(world, 5)
    for person in people[:4]:
        pledges.make_pledge(person, pledge)
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        pledges.make_pledge(people[4], pledge)
    pledge.refresh_from_db()
    assert pledge.triggered_at is not None and pledge.trigger_told_at is None
    assert _told(pledge) == []  # nothing written inside the pledge's transaction
    for callback in after_commit:  # the commit: the task is queued (run in-process in tests)
        callback()
    assert _told(pledge) == sorted(p.pk for p in people)
    pledge.refresh_from_db()
    assert pledge.trigger_told_at is not None
    assert pledges.tell_triggered(pledge.pk) == 0  # a repeated task: done already
    # Even run again from the start (two runs at once, both before either marks it done):
    Pledge.objects.filter(pk=pledge.pk).update(trigger_told_at=None)
    assert pledges.tell_triggered(pledge.pk) == 0
    assert pledges.clock()["told"] == 0
    assert _told(pledge) == sorted(p.pk for p in people)


def test_a_task_dying_midway_is_retried_and_tells_each_pledger_once(world, organiser):
    pledge = _pledge(world, organiser, threshold=7)
    people = _members(world, 7)
    for person in people:
        pledges.make_pledge(person, pledge)  # the 7th triggers; its task is never asked for
    real, calls = notices.notify, []

    def dies_on_second_batch(ids, *args, **kwargs):
        calls.append(list(ids))
        if len(calls) == 2:
            raise RuntimeError("the worker is killed")
        return real(ids, *args, **kwargs)

    with (
        mock.patch.object(pledges, "notify", dies_on_second_batch),
        pytest.raises(RuntimeError),
    ):
        pledges.tell_triggered(pledge.pk, batch=3)
    assert len(_told(pledge)) == 3  # the first batch committed, the rest not
    assert Pledge.objects.get(pk=pledge.pk).trigger_told_at is None  # still to do
    # The retry (huey's, or the clock's) writes the rest: the first three are not told again.
    assert pledges.tell_triggered(pledge.pk, batch=3) == 4
    assert _told(pledge) == sorted(p.pk for p in people)
    assert pledges.tell_triggered(pledge.pk, batch=3) == 0
    assert pledges.clock()["told"] == 0


def test_the_task_retries_itself_on_failure(world, organiser, monkeypatch):
    monkeypatch.undo()  # the queue's own task, not the tests' in-process stand-in (conftest)
    task = tasks.tell_pledgers
    pledge = _pledge(world, organiser, threshold=2)
    people = _members(world, 2)
    for person in people:
        pledges.make_pledge(person, pledge)
    assert task.retries == 3  # huey queues it again should it raise
    with mock.patch.object(pledges, "notify", side_effect=RuntimeError("database gone")):
        with pytest.raises(RuntimeError):
            task.call_local(pledge.pk)
    assert _told(pledge) == []
    assert task.call_local(pledge.pk) == 2  # the retry
    assert _told(pledge) == sorted(p.pk for p in people)


def test_those_told_are_the_pledgers_at_the_trigger(world, organiser):
    """Withdrawn before the trigger: not told; withdrawn after it, before the task: told
    (they counted); pledging after it: told at once as late, and not again by the task."""
    pledge = _pledge(world, organiser, threshold=3)
    gone, stays, withdraws_after, third = _members(world, 4)
    pledges.make_pledge(gone, pledge)
    pledges.withdraw(gone, pledge)
    for person in (stays, withdraws_after):
        pledges.make_pledge(person, pledge)
    pledges.make_pledge(third, pledge)  # the trigger
    pledge.refresh_from_db()
    assert pledge.triggered_at is not None
    pledges.withdraw(withdraws_after, pledge)
    pledges.make_pledge(gone, pledge)  # back, after the trigger: late, told at once
    assert _told(pledge) == [gone.pk]
    assert pledges.tell_triggered(pledge.pk) == 3
    assert _told(pledge) == sorted([gone.pk, stays.pk, withdraws_after.pk, third.pk])
    key = f"pledge:{pledge.pk}:triggered"
    assert "already reached" in Notice.objects.get(key=key, member=gone).text


def test_the_clock_tells_a_trigger_whose_request_was_lost(world, organiser):
    pledge = _pledge(world, organiser, threshold=1)
    person = _members(world, 1)[0]
    pledges.make_pledge(person, pledge)  # no commit here: the task is never queued
    assert _told(pledge) == []
    assert pledges.clock()["told"] == 1
    assert _told(pledge) == [person.pk]
    assert pledges.clock()["told"] == 0
