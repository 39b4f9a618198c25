"""The append-only, hash-chained audit log of every exercise of power.

Each entry's hash covers its content and the previous entry's hash, so editing
or deleting any row breaks every hash after it; ``verify_chain`` finds the first
broken entry. Entries name actors by member id, never by personal data, so a
member's erasure leaves the chain intact.
"""

from django.db import models

from tribune.lib.errors import RuleViolation


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RuleViolation("The audit log is append-only.")

    def delete(self):
        raise RuleViolation("The audit log is append-only.")


class AuditEntry(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, related_name="audit_entries"
    )
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="+"
    )
    term = models.ForeignKey(
        "offices.Term", models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=100)
    target = models.CharField(max_length=100, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "seq"], name="audit_seq_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuleViolation("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuleViolation("The audit log is append-only.")


class CheckpointQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RuleViolation("Issued checkpoints are kept as issued.")

    def delete(self):
        raise RuleViolation("Issued checkpoints are kept as issued.")


class Checkpoint(models.Model):
    """A signed statement of the chain's head, as the server issued it.

    The table is a convenience (verification can start from the last
    checkpoint instead of the genesis entry); the anchor is the copies that
    members, auditors and other servers keep outside this database. The
    signed document itself is in ``document`` (see ``tribune.audit.checkpoints``).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, related_name="audit_checkpoints"
    )
    seq = models.PositiveBigIntegerField()
    head = models.CharField(max_length=64)
    at = models.DateTimeField()
    key_id = models.CharField(max_length=16)
    document = models.JSONField()

    objects = CheckpointQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "seq"], name="audit_checkpoint_unique")
        ]

    def __str__(self) -> str:
        return f"checkpoint #{self.seq} {self.head[:16]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuleViolation("Issued checkpoints are kept as issued.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuleViolation("Issued checkpoints are kept as issued.")
