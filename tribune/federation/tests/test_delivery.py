"""The federation outbox: written with the act, retried with doubling waits, given up
after 48 hours, stopped by a revoked link, an older state never sent after a newer."""

from datetime import timedelta

import pytest
import requests
from django.db import transaction
from django.utils import timezone

from tribune.federation import delivery, links, signatures
from tribune.federation.models import Activity, Delivery


@pytest.fixture(autouse=True)
def server_key(settings, tmp_path):
    settings.TRIBUNE_FEDERATION_KEY_FILE = str(tmp_path / "federation-key.pem")
    settings.TRIBUNE_FEDERATION_RETRY_SECONDS = 30
    settings.TRIBUNE_FEDERATION_RETRY_CAP_SECONDS = 3600


class Answer:
    def __init__(self, status: int, text: str = "{}"):
        self.status_code, self.text = status, text


@pytest.fixture
def answers(monkeypatch):
    """The other server's answers, in order; each post is recorded."""
    queue, posted = [], []

    def post(url, body, session=None):
        posted.append(body)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(signatures, "post", post)
    monkeypatch.setattr(delivery, "_schedule", lambda wait: None)
    return queue, posted


def _due(row: Delivery) -> None:
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


def test_an_act_that_rolls_back_sends_nothing(peer):
    with pytest.raises(RuntimeError), transaction.atomic():
        delivery.publish("Create", {"type": "tribune:Ping"}, to=[peer])
        raise RuntimeError
    assert not Activity.objects.exists() and not Delivery.objects.exists()


def test_retries_double_then_deliver(peer, answers):
    queue, posted = answers
    delivery.publish("Create", {"type": "tribune:Ping"}, to=[peer])
    row = Delivery.objects.get()
    waits = []
    for answer in (requests.ConnectionError("down"), Answer(503), Answer(429)):
        queue.append(answer)
        before = timezone.now()
        assert delivery.deliver(row.pk) == "retry"
        row.refresh_from_db()
        waits.append(round((row.next_attempt_at - before).total_seconds()))
        assert row.status == "queued" and row.last_error
        _due(row)
    assert waits == [30, 60, 120]
    queue.append(Answer(202))
    assert delivery.deliver(row.pk) == "delivered"
    assert delivery.deliver(row.pk) is None  # delivered once: nothing more to claim
    assert len(posted) == 4


def test_a_refusal_fails_at_once_and_48_hours_are_the_limit(peer, answers):
    queue, _posted = answers
    delivery.publish("Create", {"type": "tribune:Ping"}, to=[peer])
    row = Delivery.objects.get()
    queue.append(Answer(403, '{"error": "link_not_active"}'))
    assert delivery.deliver(row.pk) == "failed"
    row.refresh_from_db()
    assert row.last_error.startswith("403") and "link_not_active" in row.last_error
    # An old activity whose next wait would pass 48 hours is given up, visibly.
    delivery.publish("Create", {"type": "tribune:Ping"}, to=[peer])
    old = Delivery.objects.latest("pk")
    Activity.objects.filter(pk=old.activity_id).update(
        created_at=timezone.now() - timedelta(hours=47, minutes=59, seconds=50)
    )
    queue.append(Answer(500))
    assert delivery.deliver(old.pk) == "failed"
    old.refresh_from_db()
    assert old.last_error.startswith("Given up after 48 hours")
    assert delivery.summary(peer)["failed"] == 2


def test_a_revoked_link_stops_delivery(peer, answers):
    delivery.publish("Create", {"type": "tribune:Ping"}, to=[peer])
    links.revoke(peer)
    row = Delivery.objects.get()
    assert row.status == "stopped"
    assert answers[1] == []


def test_an_older_state_is_not_sent_after_a_newer(peer, answers):
    queue, posted = answers
    delivery.publish("Update", {"type": "x", "n": 1}, to=[peer], supersede_key="state k")
    delivery.publish("Update", {"type": "x", "n": 2}, to=[peer], supersede_key="state k")
    older, newer = Delivery.objects.order_by("pk")
    queue.append(Answer(202))
    assert delivery.deliver(newer.pk) == "delivered"
    assert delivery.deliver(older.pk) == "superseded"
    assert len(posted) == 1 and b'"n": 2' in posted[0]


def test_a_batch_sends_only_the_newest_state_of_each_thing(peer, answers):
    queue, posted = answers
    for n in (1, 2, 3):
        delivery.publish("Update", {"type": "x", "n": n}, to=[peer], supersede_key="state k")
    delivery.publish("Update", {"type": "x", "n": 9}, to=[peer], supersede_key="state j")
    delivery.publish("Create", {"type": "tribune:Ping"}, to=[peer])  # no key: always sent
    queue.extend([Answer(202)] * 3)
    counts = delivery.deliver_due()
    assert (counts["delivered"], counts["superseded"]) == (3, 2)
    assert len(posted) == 3 and b'"n": 3' in posted[0] and b'"n": 9' in posted[1]
    # Skipped together before any claim: no attempt (no write) spent on either.
    skipped = Delivery.objects.filter(status="superseded")
    assert skipped.count() == 2 and set(skipped.values_list("attempts", flat=True)) == {0}
