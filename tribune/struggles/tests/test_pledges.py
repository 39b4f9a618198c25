"""Critical-mass pledges: the trigger fires once, failure reads without a worker, privacy."""

import itertools
import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.utils import timezone

from tribune.audit.models import AuditEntry
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.models import Member, Standing
from tribune.struggles.models import Commitment, Notice, Pledge, PledgeState
from tribune.struggles.services import pledges

_serial = itertools.count()


def _members(world, n: int) -> list[Member]:
    return [
        Member.objects.create(
            organisation=world.org,
            home_branch=world.millbrook,
            name=f"Pledger {i}",
            email=f"p{i}@test.org",
            standing=Standing.GOOD,
        )
        for i in [next(_serial) for _ in range(n)]
    ]


def _pledge(world, organiser, threshold=3, **kwargs) -> Pledge:
    return pledges.create_pledge(
        organiser,
        world.org,
        action="Withhold rent at 12 Mill Road",
        threshold=threshold,
        deadline=kwargs.pop("deadline", timezone.now() + timedelta(days=7)),
        unit="12 Mill Road",
        **kwargs,
    )


def test_only_a_mandate_creates_a_pledge(world, organiser):
    with pytest.raises(NotPermitted):
        _pledge(world, world.ben)
    assert _pledge(world, organiser).threshold == 3


def test_bad_threshold_and_past_deadline_are_refused_by_field(world, organiser):
    with pytest.raises(RuleViolation) as refused:
        _pledge(world, organiser, threshold=0)
    assert refused.value.field == "threshold"
    with pytest.raises(RuleViolation) as refused:
        _pledge(world, organiser, deadline=timezone.now() - timedelta(minutes=1))
    assert refused.value.field == "deadline"
    assert not Pledge.objects.exists()


def test_the_nth_pledge_triggers_once_and_everyone_is_told_once(
    world, organiser, django_capture_on_commit_callbacks
):
    pledge = _pledge(world, organiser, threshold=3)
    people = _members(world, 4)
    for person in people[:2]:
        pledges.make_pledge(person, pledge)
    pledge.refresh_from_db()
    assert pledge.state() == PledgeState.OPEN and pledge.count == 2
    pledges.make_pledge(people[0], pledge)  # pledging twice is the same pledge
    pledge.refresh_from_db()
    assert pledge.count == 2
    with django_capture_on_commit_callbacks(execute=True):  # told once the trigger commits
        pledges.make_pledge(people[2], pledge)
    pledge.refresh_from_db()
    assert pledge.state() == PledgeState.TRIGGERED
    key = f"pledge:{pledge.pk}:triggered"
    assert sorted(Notice.objects.filter(key=key).values_list("member_id", flat=True)) == sorted(
        p.pk for p in people[:3]
    )
    late = pledges.make_pledge(people[3], pledge)
    assert late.late
    assert Notice.objects.filter(key=key, member=people[3]).count() == 1
    assert AuditEntry.objects.filter(action="pledge.triggered").count() == 1


def test_withdrawal_after_the_trigger_does_not_revert_it(world, organiser):
    pledge = _pledge(world, organiser, threshold=2)
    a, b = _members(world, 2)
    pledges.make_pledge(a, pledge)
    pledges.withdraw(a, pledge)  # before the trigger: allowed, count falls
    pledge.refresh_from_db()
    assert pledge.count == 0
    pledges.make_pledge(a, pledge)
    pledges.make_pledge(b, pledge)
    pledges.withdraw(b, pledge)
    pledge.refresh_from_db()
    assert pledge.state() == PledgeState.TRIGGERED and pledge.count == 1
    entry = AuditEntry.objects.get(action="pledge.withdrawn_after_trigger")
    assert entry.actor_id is None and entry.data == {"count": 1}


def test_a_missed_deadline_reads_failed_with_no_worker_and_notices_once(world, organiser):
    pledge = _pledge(world, organiser, threshold=5)
    a, b = _members(world, 2)
    pledges.make_pledge(a, pledge)
    pledges.make_pledge(b, pledge)
    Pledge.objects.filter(pk=pledge.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    pledge.refresh_from_db()
    assert pledge.state() == PledgeState.FAILED  # no worker has run
    with pytest.raises(RuleViolation):
        pledges.make_pledge(_members(world, 1)[0], pledge)
    assert pledges.settle(pledge)
    assert not pledges.settle(Pledge.objects.get(pk=pledge.pk))
    assert pledges.clock() == {"told": 0, "failed": 0, "decided": 0, "follow_ups": 0}
    assert Notice.objects.filter(key=f"pledge:{pledge.pk}:failed").count() == 2


def test_the_clock_settles_and_follows_up(world, organiser):
    failing = _pledge(world, organiser, threshold=5)
    going = _pledge(world, organiser, threshold=1, follow_up_days=1)
    a = _members(world, 1)[0]
    pledges.make_pledge(a, failing)
    pledges.make_pledge(a, going)
    later = timezone.now() + timedelta(days=8)
    # The trigger's notice was never asked for (no commit here): the clock writes it.
    assert pledges.clock(later) == {"told": 1, "failed": 1, "decided": 0, "follow_ups": 1}
    assert pledges.clock(later) == {"told": 0, "failed": 0, "decided": 0, "follow_ups": 0}
    assert Notice.objects.filter(member=a).count() == 3  # triggered, failed, did you act?
    commitment = pledges.report_acted(a, Pledge.objects.get(pk=going.pk), True)
    assert commitment.acted is True


def test_a_branch_pledge_is_for_that_branchs_members(world, organiser):
    pledge = _pledge(world, organiser, branch=world.south.slug)
    with pytest.raises(NotPermitted):
        pledges.make_pledge(world.ben, pledge)  # Ben is in Millbrook, in the North


def test_suspended_and_outside_members_cannot_pledge(world, organiser):
    pledge = _pledge(world, organiser)
    world.cam.standing = Standing.SUSPENDED
    world.cam.save()
    with pytest.raises(NotPermitted):
        pledges.make_pledge(world.cam, pledge)
    with pytest.raises(NotPermitted):
        pledges.make_pledge(None, pledge)


def test_nothing_in_the_audit_log_names_a_pledger(world, organiser):
    pledge = _pledge(world, organiser, threshold=2)
    people = _members(world, 3)
    for person in people:
        pledges.make_pledge(person, pledge)
    pledges.withdraw(people[2], pledge)
    ids = {p.pk for p in people}
    for entry in AuditEntry.objects.filter(organisation=world.org, seq__gt=0):
        if entry.action.startswith("pledge."):
            assert entry.actor_id in (None, organiser.pk)
            text = str(entry.data) + entry.target
            assert not any(p.name in text or p.email in text for p in people)
            assert entry.actor_id not in ids


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_pledges_with_n_10_trigger_exactly_once(live_world, live_organiser):
    world = live_world
    pledge = _pledge(world, live_organiser, threshold=10)
    people = _members(world, 50)
    start = threading.Barrier(10)
    errors: list[Exception] = []

    def run(batch):
        try:
            start.wait(10)
            for person in batch:
                pledges.make_pledge(person, Pledge.objects.get(pk=pledge.pk))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(people[i::10],)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    pledge.refresh_from_db()
    assert pledge.count == 50 and pledge.triggered_at is not None
    assert AuditEntry.objects.filter(action="pledge.triggered").count() == 1
    notices = Notice.objects.filter(key=f"pledge:{pledge.pk}:triggered")
    assert notices.count() == 50
    assert sorted(notices.values_list("member_id", flat=True)) == sorted(p.pk for p in people)
    assert Commitment.objects.filter(pledge=pledge, late=True).count() == 40


def test_notices_are_emailed_once_through_the_outbox(
    world, organiser, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tribune.outbox.models import Email
    from tribune.outbox.services import deliver_due
    from tribune.struggles.services import notices

    pledge = _pledge(world, organiser, threshold=1)
    with django_capture_on_commit_callbacks(execute=True):
        pledges.make_pledge(world.ben, pledge)  # the trigger: a notice to Ben
    assert notices.send_pending() == 1
    assert notices.send_pending() == 0
    # Claimed and queued together: the queue row is the notice's one email.
    queued = Email.objects.get()
    assert (queued.to, queued.kind, queued.status) == ("ben@test.org", "notice", "queued")
    assert mail.outbox == []
    assert deliver_due()["sent"] == 1 and deliver_due()["sent"] == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ben@test.org"]


def test_email_preferences_each_digest_or_none(
    world, organiser, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tribune.outbox.services import deliver_due
    from tribune.struggles.services import notices

    notices.set_email_preference(world.ben, "digest")
    notices.set_email_preference(world.cam, "none")
    with pytest.raises(RuleViolation):
        notices.set_email_preference(world.cam, "carrier pigeon")
    for threshold in (1, 1):
        pledge = _pledge(world, organiser, threshold=threshold)
        with django_capture_on_commit_callbacks(execute=True):
            pledges.make_pledge(world.ben, pledge)
        pledges.make_pledge(world.cam, pledge)
    assert notices.send_pending() == 0  # Ben waits for his digest, Cam wants none
    assert notices.send_digests() == 1 and notices.send_digests() == 0
    assert deliver_due()["sent"] == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ben@test.org"]
    assert "2 notices" in mail.outbox[0].subject
    assert Notice.objects.filter(member=world.cam).count() == 2  # in Tribune all the same
