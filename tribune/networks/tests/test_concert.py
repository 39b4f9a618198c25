"""Acting in concert: counts, never names; one trigger; each pledger told once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tribune.audit.models import AuditEntry
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.networks import coalitions, concert
from tribune.networks.models import ConcertCount
from tribune.networks.tests.test_coalitions import both_ratify, propose
from tribune.struggles.models import Notice
from tribune.struggles.services import pledges


@pytest.fixture
def active(pair):
    coalition = propose(pair)
    both_ratify(pair, coalition)
    return coalition


def open_pledge(pair, coalition, threshold=4):
    pledge = concert.create(
        pair.ana,
        pair.a,
        coalition,
        action="Withhold rent together",
        threshold=threshold,
        deadline=timezone.now() + timedelta(days=7),
    )
    a = concert.open_chapter(pair.ana, pair.a, pledge)
    b = concert.open_chapter(pair.zoe, pair.b, pledge)
    return pledge, a, b


def test_only_an_active_coalitions_members_open_pledges(pair):
    coalition = propose(pair)
    coalitions.decide(pair.ana, pair.a, coalition, "ratified", decision_kind="mandate")
    with pytest.raises(RuleViolation, match="two must have ratified"):
        concert.create(
            pair.ana,
            pair.a,
            coalition,
            action="X",
            threshold=2,
            deadline=timezone.now() + timedelta(days=1),
        )
    both_ratify_rest = pair.vote_b()
    coalitions.invite(pair.ana, pair.a, coalition, organisation_uri=pair.b.uri)
    coalitions.decide(
        pair.zoe,
        pair.b,
        coalition,
        "ratified",
        decision_kind="referendum",
        decision_ref=both_ratify_rest.pk,
    )
    with pytest.raises(NotPermitted):
        concert.create(
            pair.ben,
            pair.a,
            coalition,
            action="X",
            threshold=2,
            deadline=timezone.now() + timedelta(days=1),
        )


def test_the_sum_across_organisations_fires_once_and_each_pledger_is_told_once(
    pair, active, django_capture_on_commit_callbacks
):
    pledge, chapter_a, chapter_b = open_pledge(pair, active, threshold=4)
    assert chapter_a.owner_kind == "coalition" and chapter_a.owner_label == active.name
    with django_capture_on_commit_callbacks(execute=True):
        pledges.make_pledge(pair.ben, chapter_a)
        pledges.make_pledge(pair.cam, chapter_a)
        pledges.make_pledge(pair.yan, chapter_b)
    pledge.refresh_from_db()
    assert pledge.total == 3 and pledge.triggered_at is None
    with django_capture_on_commit_callbacks(execute=True):
        pledges.make_pledge(pair.xia, chapter_b)  # the fourth, in the other organisation
    pledge.refresh_from_db()
    fired_at = pledge.triggered_at
    assert pledge.total == 4 and fired_at is not None
    for chapter in (chapter_a, chapter_b):
        chapter.refresh_from_db()
        assert chapter.triggered_at is not None
    for member in (pair.ben, pair.cam, pair.yan, pair.xia):
        assert Notice.objects.filter(member=member, key__contains=":triggered").count() == 1
    # More pledges, a withdrawal, a repeated report, the clock's backstop: no second trigger.
    with django_capture_on_commit_callbacks(execute=True):
        pledges.make_pledge(pair.zoe, chapter_b)
        pledges.withdraw(pair.cam, chapter_a)
        concert.report_count(pledge.uri, pair.a.uri, 1)
        concert.deliver_all()
    pledge.refresh_from_db()
    assert pledge.triggered_at == fired_at and pledge.total == 4
    for member in (pair.ben, pair.cam, pair.yan, pair.xia, pair.zoe):
        assert Notice.objects.filter(member=member, key__contains=":triggered").count() == 1
    triggers = AuditEntry.objects.filter(action="concert.triggered")
    assert {e.organisation_id for e in triggers} == {pair.a.pk, pair.b.pk}


def test_a_remote_organisations_count_counts_and_names_no_one(
    pair, active, django_capture_on_commit_callbacks
):
    from tribune.networks.models import Participation

    far = "https://far.example/id/organisation/3f1b2c9e-0000-4000-8000-000000000001"
    Participation.objects.create(
        coalition=active,
        organisation_uri=far,
        organisation_name="Far Union",
        state="ratified",
        round=active.round,
    )
    pledge, chapter_a, _chapter_b = open_pledge(pair, active, threshold=10)
    with pytest.raises(NotPermitted):
        concert.report_count(pledge.uri, "https://stranger.example/id/organisation/x", 5)
    with pytest.raises(RuleViolation) as refused:
        concert.report_count(pledge.uri, far, -1)
    assert refused.value.field == "count"
    concert.report_count(pledge.uri, far, 9, "Far Union")
    with django_capture_on_commit_callbacks(execute=True):
        pledges.make_pledge(pair.ben, chapter_a)
    pledge.refresh_from_db()
    assert pledge.triggered_at is not None
    assert Notice.objects.filter(member=pair.ben, key__contains=":triggered").count() == 1
    assert {c["organisation"]: c["count"] for c in concert.counts(pledge)} == {
        "Far Union": 9,
        "Test Union": 1,
        "Other Union": 0,
    }
    assert ConcertCount.objects.get(pledge=pledge, organisation_uri=far).chapter is None


def test_a_pledgers_identity_never_reaches_the_audit_log(
    pair, active, django_capture_on_commit_callbacks
):
    pledge, chapter_a, chapter_b = open_pledge(pair, active, threshold=2)
    with django_capture_on_commit_callbacks(execute=True):
        pledges.make_pledge(pair.ben, chapter_a)
        pledges.make_pledge(pair.yan, chapter_b)
    names = {"Ben", "Yan", str(pair.ben.pk), str(pair.yan.pk), "ben@test.org", "yan@test.org"}
    for entry in AuditEntry.objects.filter(
        action__in=["concert.triggered", "pledge.triggered", "concert.opened", "pledge.created"]
    ):
        assert entry.actor_id not in (pair.ben.pk, pair.yan.pk)
        blob = f"{entry.target} {entry.data}"
        assert not any(f"member:{pk}" in blob for pk in (pair.ben.pk, pair.yan.pk))
        assert not any(name in str(entry.data.values()) for name in names if not name.isdigit())


def test_the_clock_backstop_delivers_a_trigger_the_commit_hook_missed(pair, active):
    pledge, chapter_a, chapter_b = open_pledge(pair, active, threshold=2)
    # No on-commit callbacks run here (the test's transaction never commits): as if the
    # process died right after the trigger was committed.
    pledges.make_pledge(pair.ben, chapter_a)
    pledges.make_pledge(pair.yan, chapter_b)
    chapter_a.refresh_from_db()
    assert chapter_a.triggered_at is None  # not yet told
    assert concert.deliver_all() == 1  # chapter b was triggered in its pledger's transaction
    chapter_a.refresh_from_db()
    assert chapter_a.triggered_at is not None
    # The chapters' notices follow their triggers' commits; missed too, the clock writes them.
    assert not Notice.objects.filter(key__contains=":triggered").exists()
    assert pledges.clock()["told"] == 2
    for member in (pair.ben, pair.yan):
        assert Notice.objects.filter(member=member, key__contains=":triggered").count() == 1
    assert concert.deliver_all() == 0 and pledges.clock()["told"] == 0


def test_counts_after_the_coalitions_end_are_refused(pair):
    from unittest import mock

    coalition = propose(pair, ends_on=timezone.localdate() + timedelta(days=10))
    both_ratify(pair, coalition)
    pledge, chapter_a, _chapter_b = open_pledge(pair, coalition, threshold=3)
    pledges.make_pledge(pair.ben, chapter_a)
    pledge.refresh_from_db()
    assert pledge.total == 1
    after = timezone.now() + timedelta(days=11)
    with mock.patch("django.utils.timezone.now", return_value=after):
        # Another server's count (what the federation calls) is refused after the end date.
        with pytest.raises(RuleViolation, match="has ended") as refused:
            concert.report_count(pledge.uri, pair.b.uri, 5)
        assert refused.value.field == "pledge"
        # A member's own pledge in their organisation's chapter stands, but it is not
        # counted toward the coalition's pledge any more.
        chapter_a.refresh_from_db()
        chapter_a.deadline = after + timedelta(days=1)
        chapter_a.save(update_fields=["deadline"])
        pledges.make_pledge(pair.cam, chapter_a)
    pledge.refresh_from_db()
    assert pledge.total == 1 and pledge.triggered_at is None
    assert sorted(pledge.counts.values_list("count", flat=True)) == [0, 1]
