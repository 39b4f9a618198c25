"""What this server knows of other Tribune servers and the messages between them.

* ``Peer``: another server, its actor document and key, and the state of the
  link (active only when both operators approved it).
* ``Activity`` / ``Delivery``: the outbox, an ActivityStreams activity written
  in the transaction of the act that caused it, and one delivery row per peer
  it goes to, retried with backoff (tribune/federation/delivery.py).
* ``ReceivedActivity`` / ``SignatureNonce``: the inbox's memory, so a repeated
  activity has no second effect and a replayed request is refused.
* ``PublishedObject``: objects this server published, served at their id, so a
  server that got one relayed by a third can fetch it from here.
* ``Witnessed`` / ``Countersignature`` / ``WitnessAlarm``: audit checkpoints
  countersigned for peers, peers' countersignatures of ours, and what a
  witness found wrong (tribune/federation/witness.py).
* ``ServerAct``: the server's own hash chain of its operators' acts on links
  (asked, approved, revoked, retried; tribune/federation/acts.py).
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribune.lib.errors import RuleViolation


class Peer(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested by us, waiting for their operator")
        PENDING = "pending", _("Requested by them, waiting for our operator")
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")

    actor_id = models.URLField(max_length=500, unique=True)
    key_id = models.CharField(max_length=600, unique=True)
    public_key_pem = models.TextField()
    inbox = models.URLField(max_length=500)
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    approved_here = models.BooleanField(default=False)
    approved_there = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name or self.actor_id} ({self.status})"

    @property
    def origin(self) -> str:
        from tribune.federation.urls_util import origin

        return origin(self.actor_id)


class PublishedObject(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"object {self.uuid}"


class Activity(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True)
    type = models.CharField(max_length=40)
    object_type = models.CharField(max_length=80, blank=True)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    # Activities with the same key each carry the whole state of one thing (a count, a
    # network's state): a later one makes an earlier one not yet delivered pointless, and
    # delivering it after the later one would set the state back (delivery.deliver).
    supersede_key = models.CharField(max_length=600, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.type} {self.object_type} {self.uuid}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        STOPPED = "stopped", _("Stopped (link not active)")
        SUPERSEDED = "superseded", _("Not sent: a later message carried it")
        REFUSED = "refused", _("Refused by the receiving server under its rules")

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="deliveries")
    peer = models.ForeignKey(Peer, models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="federation_due")]
        constraints = [
            models.UniqueConstraint(fields=["activity", "peer"], name="federation_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.activity} to {self.peer_id} ({self.status})"


class ReceivedActivity(models.Model):
    """An activity taken in; its id is unique, recorded in the transaction of its effect."""

    activity_id = models.URLField(max_length=500, unique=True)
    peer = models.ForeignKey(Peer, models.PROTECT, related_name="received")
    type = models.CharField(max_length=40)
    object_type = models.CharField(max_length=80, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.activity_id


class SignatureNonce(models.Model):
    """The nonce of every signature accepted in the last minutes: a replayed request is refused."""

    nonce = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.nonce


class Witnessed(models.Model):
    """A peer's audit checkpoint we countersigned (our copy: the peer cannot take it back)."""

    peer = models.ForeignKey(Peer, models.PROTECT, related_name="witnessed")
    organisation = models.CharField(max_length=100)
    seq = models.PositiveBigIntegerField()
    head = models.CharField(max_length=64)
    audit_key = models.CharField(max_length=100)
    document = models.JSONField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["peer", "organisation", "seq"], name="federation_witnessed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} #{self.seq} of peer {self.peer_id}"


class Countersignature(models.Model):
    """One of our checkpoints as a peer countersigned it."""

    checkpoint = models.ForeignKey(
        "audit.Checkpoint", models.PROTECT, related_name="countersignatures"
    )
    peer = models.ForeignKey(Peer, models.PROTECT, related_name="countersigned")
    document = models.JSONField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "peer"], name="federation_countersigned_once"
            )
        ]

    def __str__(self) -> str:
        return f"checkpoint {self.checkpoint_id} by peer {self.peer_id}"


class WitnessAlarm(models.Model):
    """A peer's log no longer holds what we witnessed (or a peer told us ours does not)."""

    peer = models.ForeignKey(Peer, models.PROTECT, related_name="alarms")
    organisation = models.CharField(max_length=100)
    # "theirs": we caught the peer; "ours": the peer says our log changed.
    whose = models.CharField(max_length=10)
    reason = models.CharField(max_length=500)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.organisation}: {self.reason}"


class ReplicaVersion(models.Model):
    """The home server's time of the state a copy was last brought up to."""

    uri = models.CharField(max_length=500, unique=True)
    updated = models.CharField(max_length=40)  # the home server's ISO 8601 time of the state

    def __str__(self) -> str:
        return f"{self.uri} at {self.updated}"


class ServerActQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RuleViolation("The server's log of link acts is append-only.")

    def delete(self):
        raise RuleViolation("The server's log of link acts is append-only.")


class ServerAct(models.Model):
    """An operator's act on a link with another server, in the server's own hash chain
    (tribune/federation/acts.py): asked, approved, revoked, failed messages sent again."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    peer_actor = models.CharField(max_length=500)  # the other server's public actor id
    operator_id = models.PositiveBigIntegerField(null=True, blank=True)  # None: command line
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = ServerActQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.peer_actor}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuleViolation("The server's log of link acts is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuleViolation("The server's log of link acts is append-only.")
