"""Outgoing email through the task queue: queued with the action, sent after it commits.

``queue_email`` writes a row in the caller's transaction: the action and its
email commit together, and an action that rolls back sends nothing. After the
commit the task queue is asked to deliver at once (``deliver_queued``); a task
every minute delivers whatever is due besides (``outbox_clock``), so a missed
request or a worker that died mid-send never loses an email.

Each delivery first claims its row with a conditional UPDATE (queued and due,
then pushed a lease ahead), so two workers never send the same email. A failed
attempt is retried after TRIBUNE_MAIL_RETRY_MINUTES (1, 5, 30 minutes, 2 and 12
hours by default); after the last one the email is ``failed``, visible in
``tribune mail status``, /healthz and /metrics, and sent again by ``tribune mail
retry``. A worker that dies while sending leaves the row queued: it is sent
again when the lease runs out (at least once, never silently lost).

Bodies may carry personal data: they are never logged, and sent or failed
emails are deleted TRIBUNE_MAIL_KEEP_DAYS after their last attempt (``purge``).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from tribune.outbox.models import Email

logger = logging.getLogger(__name__)

# How long a claimed email is left to its worker before another may send it.
CLAIM_LEASE = timedelta(minutes=15)
# A queued email due for longer than this is overdue: no worker is delivering.
OVERDUE_AFTER = timedelta(minutes=10)


def retry_delays() -> list[timedelta]:
    """The wait after each failed attempt; one more attempt than delays, then failed."""
    return [timedelta(minutes=m) for m in settings.TRIBUNE_MAIL_RETRY_MINUTES]


def max_attempts() -> int:
    return len(settings.TRIBUNE_MAIL_RETRY_MINUTES) + 1


def queue_email(to: str, subject: str, body: str, kind: str = "") -> Email:
    """Queue one email in the current transaction; it is sent once that commits."""
    if not to:
        raise ValueError("An email needs an address to go to.")
    email = Email.objects.create(
        to=to,
        # A header is one line: a line break in a subject would make the send fail.
        subject=" ".join(subject.split())[:300],
        body=body,
        kind=kind[:40],
    )
    _send_soon_after_commit()
    return email


def once_after_commit(function) -> None:
    """Run ``function`` after the current transaction commits, once however often asked.

    Shared with the federation outbox (tribune/federation/delivery.py): both queue
    rows in the caller's transaction and wake the task queue once it commits.
    """
    pending = getattr(db_connection, "run_on_commit", None) or []
    if db_connection.in_atomic_block and any(entry[1] is function for entry in pending):
        return
    transaction.on_commit(function)


def _send_soon_after_commit() -> None:
    """Ask the queue to deliver once the transaction commits (once per transaction)."""
    once_after_commit(_send_soon)


def _send_soon() -> None:
    try:
        from tribune.outbox.tasks import deliver_queued

        deliver_queued()
    except Exception as error:  # the queue's store is down: the minute's run delivers
        logger.warning("Email queued; the task queue was not reachable (%s)", type(error).__name__)


def deliver(pk: int, connection=None) -> str | None:
    """Claim and send one due email: "sent", "retry", "failed", or None (not ours to send)."""
    now = timezone.now()
    claimed = Email.objects.filter(
        pk=pk, status=Email.Status.QUEUED, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE, last_attempt_at=now)
    if not claimed:
        return None
    email = Email.objects.get(pk=pk)
    message = EmailMessage(email.subject, email.body, None, [email.to], connection=connection)
    message.tribune_outbox = True  # counted here, not again by tribune.ops.mail
    try:
        if message.send() != 1:
            raise RuntimeError("the mail backend sent nothing")
    except Exception as error:
        return _failed(email, error)
    Email.objects.filter(pk=pk).update(
        status=Email.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def _failed(email: Email, error: Exception) -> str:
    from tribune.ops.metrics import EMAIL_FAILURES

    EMAIL_FAILURES.inc()
    now = timezone.now()
    reason = f"{type(error).__name__}: {error}"[:500]
    delays = retry_delays()
    if email.attempts >= max_attempts():
        changes = {"status": Email.Status.FAILED, "next_attempt_at": now}
        outcome = "failed"
    else:
        changes = {"next_attempt_at": now + delays[email.attempts - 1]}
        outcome = "retry"
    Email.objects.filter(pk=email.pk).update(last_error=reason, **changes)
    # The error's text may name the address: the log gets its kind only.
    logger.warning(
        "Email #%s (%s) not sent, attempt %s of %s: %s",
        email.pk,
        email.kind or "email",
        email.attempts,
        max_attempts(),
        type(error).__name__,
    )
    return outcome


def deliver_due(limit: int = 500, seconds: float = 50.0) -> dict:
    """Send what is due, in batches, for at most about ``seconds``; one mail connection."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        ids = list(
            Email.objects.filter(status=Email.Status.QUEUED, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            break
        connection = None
        try:
            for pk in ids:
                if connection is None:
                    connection = _open_connection()
                outcome = deliver(pk, connection)
                if outcome:
                    counts[outcome] += 1
                if outcome in ("retry", "failed"):  # the connection may be broken: a new one
                    _close(connection)
                    connection = None
        finally:
            _close(connection)
        if len(ids) < limit:
            break
    return counts


def _open_connection():
    connection = get_connection()
    try:
        connection.open()
    except Exception:  # the server is down: each send tries again and records why
        pass
    return connection


def _close(connection) -> None:
    if connection is not None:
        try:
            connection.close()
        except Exception:
            pass


def retry(pk: int | None = None) -> int:
    """Queue failed emails again with every attempt afresh (one by id, or all of them)."""
    failed = Email.objects.filter(status=Email.Status.FAILED)
    if pk is not None:
        failed = failed.filter(pk=pk)
    with transaction.atomic():
        count = failed.update(
            status=Email.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
        )
        if count:
            _send_soon_after_commit()
    return count


def purge() -> int:
    """Delete sent and failed emails (bodies are personal data) after TRIBUNE_MAIL_KEEP_DAYS."""
    cutoff = timezone.now() - timedelta(days=settings.TRIBUNE_MAIL_KEEP_DAYS)
    deleted, _ = Email.objects.filter(
        status__in=[Email.Status.SENT, Email.Status.FAILED], last_attempt_at__lt=cutoff
    ).delete()
    return deleted


def summary() -> dict:
    """Counts by status, and how many queued emails are overdue (no worker sending them)."""
    counts = dict.fromkeys(Email.Status.values, 0)
    for row in Email.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    counts["overdue"] = Email.objects.filter(
        status=Email.Status.QUEUED, next_attempt_at__lt=timezone.now() - OVERDUE_AFTER
    ).count()
    return counts
