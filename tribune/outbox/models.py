"""An email waiting to go, gone, or given up on (after every retry)."""

from django.db import models
from django.utils import timezone


class Email(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    # May hold personal data: erased with the row TRIBUNE_MAIL_KEEP_DAYS after the
    # last attempt (tribune.outbox.services.purge), never logged.
    body = models.TextField()
    # What sent it ("notice", "digest", "invitation"): for the operator's status.
    kind = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # Due from then (queued); while a worker is sending, pushed on by the claim's lease.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"Email #{self.pk} ({self.kind or 'email'}, {self.status})"
