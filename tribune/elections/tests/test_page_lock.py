"""Viewing an election takes a step the clock allows, and a lock only when one is due.

The election page advances a stale election before showing it (issue 12 kept
that), but every view of a certified result used to open a transaction and lock
the election's row: on SQLite, a write lock that ballots being cast elsewhere
had to wait for. ``step_due`` tells, from the row as read, whether ``advance``
would do anything; it must agree with ``advance`` at every step.
"""

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tribune.elections import services
from tribune.elections.models import Kind, Method, Status

ORG = "/o/test-union"


def _referendum(world):
    return services.call_election(
        world.ana,
        kind=Kind.REFERENDUM,
        method=Method.YES_NO,
        title="Affiliate to the federation",
        question="Should we affiliate?",
        electorate_branch=world.root,
        starts_at=timezone.now() + timedelta(days=1),
    )


def _locks(captured) -> list[str]:
    return [q["sql"] for q in captured if "SAVEPOINT" in q["sql"] or "FOR UPDATE" in q["sql"]]


def test_step_due_agrees_with_advance_at_every_step(world):
    vote = _referendum(world)
    moments = [
        vote.voting_open_at - timedelta(minutes=1),
        vote.voting_open_at,
        vote.voting_close_at - timedelta(minutes=1),
        vote.voting_close_at,
        vote.voting_close_at + timedelta(days=1),
    ]
    seen = []
    for now in moments:
        vote.refresh_from_db()
        before = vote.status
        due = services.step_due(vote, now)
        after = services.advance(vote, now).status
        assert due == (after != before), (now, before, after)
        seen.append(after)
    assert seen == [Status.CALLED, Status.VOTING, Status.VOTING, Status.CERTIFIED, Status.CERTIFIED]


def test_viewing_a_result_takes_no_lock_and_a_due_step_is_taken(world):
    vote = _referendum(world)
    client = Client()
    client.force_login(world.users["ben"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{ORG}/elections/{vote.pk}/").status_code == 200
    assert _locks(captured) == []  # nothing due: voting opens later
    vote.refresh_from_db()
    assert vote.status == Status.CALLED

    type(vote).objects.filter(pk=vote.pk).update(
        voting_open_at=timezone.now() - timedelta(minutes=1)
    )
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{ORG}/elections/{vote.pk}/").status_code == 200
    assert _locks(captured) != []  # the step is taken under the lock
    vote.refresh_from_db()
    assert vote.status == Status.VOTING
