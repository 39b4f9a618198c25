"""The SMTP backend that counts what it fails to send (``tribune_email_failures_total``).

Django's SMTP backend, unchanged, except that every message the mail server
refused or that could not be handed to it is counted for /metrics before the
error goes on to the caller (or, with ``fail_silently``, is swallowed as before).
Messages from the outbox (tribune/outbox) are counted there, once per failed
attempt, and not again here.
Set ``EMAIL_BACKEND=tribune.ops.mail.EmailBackend`` (deploy/tribune.env does).
"""

from django.core.mail.backends import smtp

from tribune.ops.metrics import EMAIL_FAILURES


def _counted_here(messages) -> int:
    return sum(1 for m in messages if not getattr(m, "tribune_outbox", False))


class EmailBackend(smtp.EmailBackend):
    def send_messages(self, email_messages):
        messages = [m for m in email_messages or [] if m.recipients()]
        try:
            sent = super().send_messages(messages)
        except Exception:
            EMAIL_FAILURES.inc(_counted_here(messages))
            raise
        if sent < len(messages):
            EMAIL_FAILURES.inc(min(len(messages) - sent, _counted_here(messages)))
        return sent
