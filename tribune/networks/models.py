"""Networks of organisations (and of networks), coalitions on named demands, and
pledges made in concert across organisations.

Everything here names an organisation by its **actor URI** (``Organisation.uri``:
an HTTPS URI ending in a UUID), with an optional foreign key when it lives on
this server: a member on another server has no row here, only its URI and name.
Networks, coalitions and concert pledges carry their own ``uri`` (stored, so a
copy of one held on another server keeps its origin's URI) and ``home`` says
whether this server is where it is decided.

What is deliberately absent: no field, relation or service lets a network or a
coalition write into a member's programme, constitution or membership. A
coalition's demands are its own text; the link to a member's programme is a
list of section keys the member chose, read only.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribune.struggles.models import PledgeProgress, PledgeState


class DecisionRule(models.TextChoices):
    ONE_VOTE = "one_vote", _("one organisation, one vote")
    WEIGHTED = "weighted", _("votes weighted by membership")
    CONSENSUS = "consensus", _("consensus of every member")


class DecisionKind(models.TextChoices):
    """The decisions an organisation may cite: each taken under its own constitution."""

    REFERENDUM = "referendum", _("a referendum of the membership")
    MOTION = "motion", _("a motion carried by congress")
    MANDATE = "mandate", _("an act of an office mandated to represent it in networks")


class Cited(models.Model):
    """A certified decision cited for one act: each decision justifies one act only.

    So a renewed coalition needs fresh ratifications: the decision that ratified
    the first round is used up.
    """

    uri = models.CharField(max_length=500, unique=True)
    organisation_uri = models.CharField(max_length=500)
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    title = models.CharField(max_length=300)
    decided_at = models.DateTimeField()
    act = models.CharField(max_length=300)  # what it was cited for, e.g. "join network:<uri>"
    cited_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Network(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uri = models.CharField(max_length=500, unique=True)
    home = models.BooleanField(default=True)  # False: a copy of a network decided elsewhere
    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), max_length=5000)
    decision_rule = models.CharField(
        _("how it decides"), max_length=20, choices=DecisionRule.choices
    )
    founded_by_uri = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    ORGANISATION = "organisation", _("organisation")
    NETWORK = "network", _("network")


class MembershipState(models.TextChoices):
    INVITED = "invited", _("invited")
    MEMBER = "member", _("member")
    LEFT = "left", _("left")


class Membership(models.Model):
    """An organisation (or a network) in a network, by URI; joined and left by its own decision."""

    network = models.ForeignKey(Network, models.CASCADE, related_name="memberships")
    member_uri = models.CharField(max_length=500)
    member_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=MemberKind.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation", models.CASCADE, null=True, blank=True, related_name="+"
    )
    member_network = models.ForeignKey(
        Network, models.CASCADE, null=True, blank=True, related_name="parent_memberships"
    )
    state = models.CharField(max_length=20, choices=MembershipState.choices)
    invited_by_uri = models.CharField(max_length=500, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # {"uri", "kind", "title", "decided_at"}: the decision cited (plain values, any server).
    join_decision = models.JSONField(null=True, blank=True)
    leave_decision = models.JSONField(null=True, blank=True)
    # Members in good standing, as last reported (for a network weighted by membership).
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["member_name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "member_uri"], name="network_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_name} in {self.network}"


class Coalition(models.Model):
    """Partial unity on named demands, for a time: never a merger."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uri = models.CharField(max_length=500, unique=True)
    home = models.BooleanField(default=True)
    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("what it is for"), blank=True, max_length=5000)
    network = models.ForeignKey(
        Network, models.SET_NULL, null=True, blank=True, related_name="coalitions"
    )
    ends_on = models.DateField(_("ends on"))
    # Raised by each renewal: only ratifications of the current round count.
    round = models.PositiveIntegerField(default=1)
    founded_by_uri = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ends_on", "name"]

    def __str__(self) -> str:
        return self.name

    def ratified(self):
        return self.participations.filter(state=ParticipationState.RATIFIED, round=self.round)

    def status(self, today=None) -> str:
        """Computed from dates and ratifications when read: no worker needed for expiry."""
        today = today or timezone.localdate()
        if today > self.ends_on:
            return CoalitionStatus.EXPIRED
        if self.ratified().count() >= 2:
            return CoalitionStatus.ACTIVE
        return CoalitionStatus.FORMING

    @property
    def status_label(self) -> str:
        return CoalitionStatus(self.status()).label


class CoalitionStatus(models.TextChoices):
    FORMING = "forming", _("forming: fewer than two have ratified")
    ACTIVE = "active", _("active")
    EXPIRED = "expired", _("ended")


class Demand(models.Model):
    coalition = models.ForeignKey(Coalition, models.CASCADE, related_name="demands")
    key = models.SlugField()
    title = models.CharField(_("demand"), max_length=300)
    text = models.TextField(_("what it means"), blank=True, max_length=5000)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["coalition", "position"]
        constraints = [models.UniqueConstraint(fields=["coalition", "key"], name="demand_key_once")]

    def __str__(self) -> str:
        return self.title


class ParticipationState(models.TextChoices):
    INVITED = "invited", _("invited")
    RATIFYING = "ratifying", _("deciding")
    RATIFIED = "ratified", _("ratified")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Participation(models.Model):
    """One invited organisation's place in a coalition, by URI."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coalition = models.ForeignKey(Coalition, models.CASCADE, related_name="participations")
    organisation_uri = models.CharField(max_length=500)
    organisation_name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        "organisations.Organisation", models.CASCADE, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        max_length=20, choices=ParticipationState.choices, default=ParticipationState.INVITED
    )
    round = models.PositiveIntegerField(default=0)  # the coalition round it ratified
    decision = models.JSONField(null=True, blank=True)  # the decision cited for the state
    # {demand key: [section keys of this organisation's programme]}: read-only links.
    programme_links = models.JSONField(default=dict, blank=True)
    invited_by_uri = models.CharField(max_length=500, blank=True)
    invited_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "organisation_uri"], name="coalition_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} in {self.coalition}"

    @property
    def counts(self) -> bool:
        return self.state == ParticipationState.RATIFIED and self.round == self.coalition.round


class ConcertPledge(PledgeProgress, models.Model):
    """A pledge of a coalition or network: one threshold, pledges made in every member.

    Each organisation keeps its pledgers to itself (a chapter: a pledge of its
    own in tribune.struggles) and reports only its count (``ConcertCount``).
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uri = models.CharField(max_length=500, unique=True)
    home = models.BooleanField(default=True)
    coalition = models.ForeignKey(
        Coalition, models.CASCADE, null=True, blank=True, related_name="pledges"
    )
    network = models.ForeignKey(
        Network, models.CASCADE, null=True, blank=True, related_name="pledges"
    )
    action = models.CharField(_("what we will do"), max_length=300)
    details = models.TextField(_("details"), blank=True, max_length=5000)
    threshold = models.PositiveIntegerField(_("how many must commit, in all"))
    deadline = models.DateTimeField(_("deadline"))
    total = models.PositiveIntegerField(default=0)  # the sum of the counts, kept with them
    progress_field = "total"  # for PledgeProgress's state_label and percent
    triggered_at = models.DateTimeField(null=True, blank=True)
    created_by_uri = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.action

    def state(self, now=None) -> str:
        if self.triggered_at is not None:
            return PledgeState.TRIGGERED
        if (now or timezone.now()) > self.deadline:
            return PledgeState.FAILED
        return PledgeState.OPEN


class ConcertCount(models.Model):
    """One organisation's count toward a concert pledge: a number, never a name."""

    pledge = models.ForeignKey(ConcertPledge, models.CASCADE, related_name="counts")
    organisation_uri = models.CharField(max_length=500)
    organisation_name = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    # This server's organisation's own chapter (tribune.struggles), if it is here.
    chapter = models.OneToOneField(
        "struggles.Pledge", models.CASCADE, null=True, blank=True, related_name="concert_count"
    )
    told_at = models.DateTimeField(null=True, blank=True)  # its pledgers told of the trigger

    class Meta:
        ordering = ["organisation_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "organisation_uri"], name="concert_count_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name}: {self.count}"


class SharedKind(models.TextChoices):
    DOCUMENT = "document", _("document")
    EVENT = "event", _("event")
    STRUGGLE = "struggle", _("struggle")
    SOLIDARITY = "solidarity", _("solidarity request")


class SharedDocument(models.Model):
    """What an organisation shares with a network or coalition, as plain values: a public
    document of its archive, or (``kind``) one of its public events, struggles or
    solidarity requests.

    Kept on the holder's home server and sent with its state, so every server taking
    part lists it (and puts a shared event in the shared calendar) even when the
    organisation that shared it is on another server. ``document_uri`` is the item's
    page on its own server; ``details`` the few public values a listing or a calendar
    needs (an event's times, place and uid).
    """

    network = models.ForeignKey(
        Network, models.CASCADE, null=True, blank=True, related_name="documents"
    )
    coalition = models.ForeignKey(
        Coalition, models.CASCADE, null=True, blank=True, related_name="documents"
    )
    document_uri = models.CharField(max_length=500)
    title = models.CharField(max_length=300)
    organisation_uri = models.CharField(max_length=500)
    organisation_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=SharedKind.choices, default=SharedKind.DOCUMENT)
    details = models.JSONField(default=dict, blank=True)
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-shared_at", "-pk"]

    def __str__(self) -> str:
        return self.title
