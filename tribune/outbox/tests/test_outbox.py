"""The outbox: queued with the action, sent after commit, retried, visibly failed, once."""

import logging
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import close_old_connections, transaction
from django.utils import timezone

from tribune.ops import health
from tribune.ops.metrics import EMAIL_FAILURES
from tribune.outbox import services
from tribune.outbox.models import Email
from tribune.outbox.services import deliver_due, queue_email
from tribune.outbox.tests.backends import FlakyBackend


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tribune.outbox.tests.backends.FlakyBackend"
    FlakyBackend.failures_left = 0
    yield FlakyBackend
    FlakyBackend.failures_left = 0


def _make_due(email: Email) -> None:
    """As if the wait after the last attempt had passed."""
    Email.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_an_action_rolled_back_queues_and_sends_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_email("ann@test.org", "Ballot open", "Vote now")
            raise RuntimeError("the action failed")
    assert not Email.objects.exists() and callbacks == []
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0} and mail.outbox == []


def test_a_committed_action_asks_the_queue_once_and_the_email_goes(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for name in ("ann", "bo", "cy"):
            queue_email(f"{name}@test.org", "Ballot\nopen", "Vote now")
    assert [c.__name__ for c in callbacks] == ["_send_soon"]  # one request for three emails
    assert set(Email.objects.values_list("status", flat=True)) == {"queued"}
    assert Email.objects.first().subject == "Ballot open"  # a header is one line
    assert deliver_due()["sent"] == 3 and deliver_due()["sent"] == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@test.org", "bo@test.org", "cy@test.org"]
    sent = Email.objects.get(to="ann@test.org")
    assert sent.status == "sent" and sent.attempts == 1 and sent.sent_at is not None


def test_a_failing_server_is_retried_with_backoff_then_it_goes(db, flaky):
    flaky.failures_left = 2
    before = EMAIL_FAILURES._value.get()
    email = queue_email("ann@test.org", "Ballot open", "Vote now")
    waits = []
    for _ in range(2):
        started = timezone.now()
        assert deliver_due() == {"sent": 0, "retry": 1, "failed": 0}
        email.refresh_from_db()
        assert email.status == "queued" and "SMTPServerDisconnected" in email.last_error
        waits.append(round((email.next_attempt_at - started).total_seconds() / 60))
        assert deliver_due()["retry"] == 0  # not due again yet
        _make_due(email)
    assert waits == [1, 5]
    assert deliver_due()["sent"] == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 3, "")
    assert len(mail.outbox) == 1
    assert EMAIL_FAILURES._value.get() == before + 2


def test_after_the_last_attempt_the_email_is_failed_and_visible(db, flaky, settings, caplog):
    settings.TRIBUNE_MAIL_RETRY_MINUTES = [1, 5]
    flaky.failures_left = 99
    email = queue_email("ann@test.org", "Ballot open", "Secret agenda item")
    with caplog.at_level(logging.WARNING):
        for outcome in ("retry", "retry", "failed"):
            assert deliver_due()[outcome] == 1
            _make_due(email)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 3)
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # given up: not retried
    # The log names the email and the error's kind, never the address or the body.
    assert "SMTPServerDisconnected" in caplog.text
    assert "ann@test.org" not in caplog.text and "Secret" not in caplog.text

    out = StringIO()
    call_command("mail", "status", stdout=out)
    text = out.getvalue()
    assert "failed 1" in text and f"#{email.pk} email to ann@test.org" in text
    assert "after 3 attempts: SMTPServerDisconnected" in text and "Secret" not in text

    flaky.failures_left = 0
    out = StringIO()
    call_command("mail", "retry", "--failed", stdout=out)
    assert "Queued 1 email again" in out.getvalue()
    assert deliver_due()["sent"] == 1 and len(mail.outbox) == 1
    with pytest.raises(Exception, match="only failed emails are retried"):
        call_command("mail", "retry", str(email.pk))


def test_healthz_reports_failed_and_overdue_mail_without_failing(db, client):
    health.beat()
    Email.objects.create(to="a@test.org", subject="s", body="b", status="failed")
    Email.objects.create(
        to="b@test.org", subject="s", body="b", next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    Email.objects.create(to="c@test.org", subject="s", body="b")  # due now: not overdue
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["mail"] == {"ok": True, "failed": 1, "overdue": 1}


def test_sent_and_failed_emails_are_deleted_after_the_keeping_days(db, settings):
    settings.TRIBUNE_MAIL_KEEP_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    recent = timezone.now() - timedelta(days=29)
    for status, when in (("sent", old), ("failed", old), ("sent", recent), ("queued", old)):
        Email.objects.create(
            to="a@test.org", subject="s", body="b", status=status, last_attempt_at=when
        )
    assert services.purge() == 2
    assert sorted(Email.objects.values_list("status", flat=True)) == ["queued", "sent"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliverers_send_each_email_once():
    with transaction.atomic():
        for i in range(40):
            queue_email(f"m{i}@test.org", "Ballot open", "Vote now")
    start = threading.Barrier(4)
    errors: list[Exception] = []

    def run():
        try:
            start.wait(10)
            deliver_due(limit=5)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"m{i}@test.org" for i in range(40))
    assert set(Email.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_an_outbox_email_the_smtp_server_refuses_is_counted_once(db, settings):
    settings.EMAIL_BACKEND = "tribune.ops.mail.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    before = EMAIL_FAILURES._value.get()
    email = queue_email("ann@test.org", "Ballot open", "Vote now")
    assert deliver_due()["retry"] == 1
    assert EMAIL_FAILURES._value.get() == before + 1  # by the outbox, not again by the backend
    email.refresh_from_db()
    assert email.status == "queued" and email.last_error.startswith("ConnectionRefusedError")
