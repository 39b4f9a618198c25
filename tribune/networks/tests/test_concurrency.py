"""Pledges made at the same instant in two organisations: one trigger, each pledger told once."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.utils import timezone

from tribune.audit.models import AuditEntry
from tribune.networks import concert
from tribune.networks.models import ConcertPledge
from tribune.networks.tests.conftest import more_members
from tribune.networks.tests.test_coalitions import both_ratify, propose
from tribune.struggles.models import Notice, Pledge
from tribune.struggles.services import pledges


@pytest.mark.django_db(transaction=True)
def test_concurrent_pledges_in_two_organisations_fire_once(live_pair):
    pair = live_pair
    coalition = propose(pair)
    both_ratify(pair, coalition)
    pledge = concert.create(
        pair.ana,
        pair.a,
        coalition,
        action="Strike",
        threshold=6,
        deadline=timezone.now() + timedelta(days=3),
    )
    chapters = [
        concert.open_chapter(pair.ana, pair.a, pledge),
        concert.open_chapter(pair.zoe, pair.b, pledge),
    ]
    people = [(chapters[0], p) for p in more_members(pair.a, pair.ana, 10, "alpha")] + [
        (chapters[1], p) for p in more_members(pair.b, pair.zoe, 10, "beta")
    ]
    start = threading.Barrier(8)
    errors: list[Exception] = []

    def run(batch):
        try:
            start.wait(10)
            for chapter, person in batch:
                pledges.make_pledge(person, Pledge.objects.get(pk=chapter.pk))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(people[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    concert.deliver_all()  # what the clock does; the commit hooks have run already
    pledge = ConcertPledge.objects.get(pk=pledge.pk)
    assert pledge.total == 20 and pledge.triggered_at is not None
    assert AuditEntry.objects.filter(action="concert.triggered").count() == 2  # one per side
    for chapter in chapters:
        chapter.refresh_from_db()
        assert chapter.triggered_at is not None
    keys = [f"pledge:{c.pk}:triggered" for c in chapters]
    notices = Notice.objects.filter(key__in=keys)
    assert sorted(notices.values_list("member_id", flat=True)) == sorted(p.pk for _c, p in people)
