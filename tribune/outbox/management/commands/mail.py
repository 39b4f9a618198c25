"""``tribune mail``: what the outbox holds, and failed emails sent again.

``tribune mail status`` counts emails by status and lists the failed ones with
their error (never a body); ``tribune mail retry ID`` or ``--failed`` queues
failed emails again with all their attempts afresh.
"""

from django.core.management.base import BaseCommand, CommandError

from tribune.outbox import services
from tribune.outbox.models import Email


class Command(BaseCommand):
    help = "Outgoing email: `status` (counts, failures) or `retry ID|--failed`."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "retry"])
        parser.add_argument("email_id", nargs="?", type=int)
        parser.add_argument("--failed", action="store_true", help="retry every failed email")

    def handle(self, *args, action, email_id=None, failed=False, **options):
        if action == "status":
            return self._status()
        if (email_id is None) == (not failed):
            raise CommandError("Give one email's number, or --failed for every failed email.")
        if email_id is not None:
            found = Email.objects.filter(pk=email_id).values_list("status", flat=True).first()
            if found is None:
                raise CommandError(f"There is no email #{email_id}.")
            if found != Email.Status.FAILED:
                raise CommandError(
                    f"Email #{email_id} is {found}: only failed emails are retried "
                    "(queued ones are retried on their own)."
                )
        count = services.retry(email_id)
        self.stdout.write(f"Queued {count} email{'s' if count != 1 else ''} again.")

    def _status(self):
        counts = services.summary()
        self.stdout.write(
            f"queued {counts['queued']} (overdue {counts['overdue']}), "
            f"sent {counts['sent']}, failed {counts['failed']}"
        )
        failed = Email.objects.filter(status=Email.Status.FAILED).order_by("-last_attempt_at")
        for email in failed.only("pk", "to", "kind", "attempts", "last_attempt_at", "last_error")[
            :100
        ]:
            when = f"{email.last_attempt_at:%Y-%m-%d %H:%M} UTC" if email.last_attempt_at else ""
            self.stdout.write(
                f"#{email.pk} {email.kind or 'email'} to {email.to}, failed {when} after "
                f"{email.attempts} attempts: {email.last_error}"
            )
        if counts["failed"] > 100:
            self.stdout.write(f"... and {counts['failed'] - 100} more failed.")
