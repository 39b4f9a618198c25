"""Congresses and assemblies, their motions and amendments, and the programme.

Votes at an assembly are elections of kind ``assembly`` (one ``LiveVote``
each), so they share the secret ballot, the voter roll, counting and the
published box with every other vote in Tribune; weights and proxies are
recorded on the roll.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Assembly(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("General assembly: every member of the unit")
        DELEGATES = "delegates", _("Congress of delegates elected by branches")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_SESSION = "in_session", _("In session")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(
        "organisations.Organisation", models.CASCADE, related_name="assemblies"
    )
    branch = models.ForeignKey("organisations.Branch", models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    motions_deadline = models.DateTimeField(_("deadline for motions and amendments"))
    chair_office = models.OneToOneField(
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="chaired_assembly"
    )
    # Standing orders.
    speaking_minutes = models.PositiveSmallIntegerField(_("speaking time (minutes)"), default=3)
    first_speakers_first = models.BooleanField(_("first-time speakers first"), default=True)
    alternate_lists = models.BooleanField(_("alternating (balanced) lists"), default=False)
    secret_votes = models.BooleanField(_("votes are secret"), default=False)
    weighted_votes = models.BooleanField(
        _("a delegate's vote carries the members they represent"), default=False
    )
    proxies_allowed = models.BooleanField(
        _("participants may give their vote by proxy"), default=False
    )
    branches_may_table = models.BooleanField(_("branches may table motions"), default=True)
    factions_may_table = models.BooleanField(_("factions may table motions"), default=True)
    # The constitution's quorum and majorities always apply; the standing orders may only
    # make them stricter (tribune.assemblies.sessions).
    quorum_percent = models.DecimalField(
        _("quorum (% of the votes in the hall), where stricter than the constitution's"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    majority = models.CharField(
        _("majority for ordinary motions"),
        max_length=20,
        choices=[
            ("simple", _("Simple: more yes than no")),
            ("absolute", _("Absolute: more than half of the votes cast, abstentions included")),
            ("two-thirds", _("Two thirds of the yes and no votes")),
        ],
        default="simple",
    )
    delegate_seats = models.PositiveIntegerField(_("delegates"), default=0)
    apportionment = models.CharField(
        _("apportionment method"),
        max_length=30,
        choices=[
            ("largest-remainder", _("Largest remainder")),
            ("sainte-lague", _("Sainte-Laguë")),
        ],
        default="sainte-lague",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name_plural = "assemblies"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:assembly", args=[self.organisation.slug, self.pk])


class Participant(models.Model):
    """A member with a vote: a delegate (with a weight) or, at a general assembly, anyone."""

    assembly = models.ForeignKey(Assembly, models.CASCADE, related_name="participants")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    delegation = models.ForeignKey(
        "organisations.Branch", models.PROTECT, null=True, blank=True, related_name="+"
    )
    weight = models.PositiveIntegerField(default=1)
    group = models.CharField(_("list group (for alternating lists)"), max_length=30, blank=True)
    substitute_for = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="substitutes"
    )
    # A delegate who hands their vote to a substitute stops voting until they take it back.
    voting = models.BooleanField(default=True)
    # Checked in: in the hall now. One who gave a proxy is present through the holder.
    present = models.BooleanField(default=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assembly", "member"], name="participate_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} at {self.assembly}"


class Proxy(models.Model):
    giver = models.OneToOneField(Participant, models.CASCADE, related_name="proxy_given")
    holder = models.ForeignKey(Participant, models.CASCADE, related_name="proxies_held")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.giver} → {self.holder}"


class Session(models.Model):
    """One sitting of an assembly: from the chair's opening (or resuming) to suspension.

    Attendance and quorum are recorded at the start and at the end, for the minutes.
    Each entry of ``attendance_*`` is ``{"entitled", "present", "quorum", "quorate",
    "present_names", "proxies": [[giver, holder]], "absent"}``.
    """

    assembly = models.ForeignKey(Assembly, models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="+"
    )
    # How the sitting ended: "suspended" or "closed" (the assembly was closed).
    ended_how = models.CharField(max_length=20, blank=True)
    attendance_at_open = models.JSONField(default=dict)
    attendance_at_end = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["assembly", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="session_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assembly}: session {self.number}"


class AgendaItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("To come")
        CURRENT = "current", _("Under discussion")
        DONE = "done", _("Done")

    assembly = models.ForeignKey(Assembly, models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=300)
    minutes = models.PositiveSmallIntegerField(_("time allowed (minutes)"), default=30)
    report = models.TextField(_("report"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    class Meta:
        ordering = ["assembly", "position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Programme(models.Model):
    organisation = models.OneToOneField(
        "organisations.Organisation", models.CASCADE, related_name="programme"
    )

    def __str__(self) -> str:
        return f"Programme of {self.organisation}"

    def current(self):
        return self.versions.order_by("-number").first()


class ProgrammeVersion(models.Model):
    programme = models.ForeignKey(Programme, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    adopted_at = models.DateTimeField(auto_now_add=True)
    motion = models.ForeignKey(
        "assemblies.Motion", models.PROTECT, null=True, blank=True, related_name="+"
    )
    vote = models.ForeignKey(
        "elections.Election", models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="programme_version_unique")
        ]

    def __str__(self) -> str:
        return f"Programme v{self.number}"


class ProgrammeSection(models.Model):
    version = models.ForeignKey(ProgrammeVersion, models.CASCADE, related_name="sections")
    key = models.SlugField()
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    text = models.TextField()

    class Meta:
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return self.title


class Motion(models.Model):
    class Status(models.TextChoices):
        TABLED = "tabled", _("Tabled")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FALLEN = "fallen", _("Fallen: a competing motion was carried")

    assembly = models.ForeignKey(Assembly, models.CASCADE, related_name="motions")
    agenda_item = models.ForeignKey(
        AgendaItem, models.SET_NULL, null=True, blank=True, related_name="motions"
    )
    title = models.CharField(_("title"), max_length=300)
    tabled_by = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    on_behalf_of_branch = models.ForeignKey(
        "organisations.Branch", models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_behalf_of_faction = models.ForeignKey(
        "factions.Faction", models.PROTECT, null=True, blank=True, related_name="motions"
    )
    programme_section = models.SlugField(_("programme section it rewrites (optional)"), blank=True)
    # A motion to change the constitution needs the constitution's amendment majority.
    amends_constitution = models.BooleanField(_("amends the constitution"), default=False)
    # What the motion changes in the constitution's data (the rules and the structure),
    # as the members read it when it was tabled; adopted when the motion is carried.
    constitution_change = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TABLED)
    tabled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assembly", "tabled_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def current(self):
        return self.versions.order_by("-number").first()


class MotionVersion(models.Model):
    motion = models.ForeignKey(Motion, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["motion", "number"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "number"], name="motion_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.motion} v{self.number}"


class Amendment(models.Model):
    class Status(models.TextChoices):
        TABLED = "tabled", _("Tabled")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        FALLEN = "fallen", _("Fallen: its lines were changed by an adopted amendment")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    motion = models.ForeignKey(Motion, models.CASCADE, related_name="amendments")
    label = models.CharField(max_length=20)
    tabled_by = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    # Lines of the motion's FIRST version (1-based, inclusive); start = end + 1 inserts.
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    new_text = models.TextField(blank=True)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TABLED)
    tabled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["motion", "start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "label"], name="amendment_label_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label} to {self.motion}"


class SpeakerRequest(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        SPEAKING = "speaking", _("Speaking")
        DONE = "done", _("Spoke")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    item = models.ForeignKey(AgendaItem, models.CASCADE, related_name="speakers")
    participant = models.ForeignKey(Participant, models.CASCADE, related_name="+")
    point_of_order = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.participant} on {self.item}"


class LiveVote(models.Model):
    """A vote taken in the hall: opened and closed by the chair, counted at once.

    Either a yes/no vote on one motion or one amendment, or a ranking vote on an
    agenda item (``item`` set): the competing motions on the item are ranked, and
    the Schulze order of the count (``order``) is the order in which they are put.
    """

    assembly = models.ForeignKey(Assembly, models.CASCADE, related_name="votes")
    election = models.OneToOneField("elections.Election", models.PROTECT, related_name="live_vote")
    motion = models.ForeignKey(Motion, models.CASCADE, null=True, blank=True, related_name="votes")
    amendment = models.ForeignKey(
        Amendment, models.CASCADE, null=True, blank=True, related_name="votes"
    )
    item = models.ForeignKey(
        AgendaItem, models.CASCADE, null=True, blank=True, related_name="ranking_votes"
    )
    # A ranking vote's result: the motion ids in the order they are to be put.
    order = models.JSONField(null=True, blank=True)
    # The sitting in which the vote was taken (votes open only in session).
    session = models.ForeignKey(
        Session, models.PROTECT, null=True, blank=True, related_name="votes"
    )
    # The quorum when it opened: votes entitled, votes present, votes needed; and whether
    # enough voted by the close (None while open). A vote not quorate decides nothing.
    entitled = models.PositiveIntegerField(null=True, blank=True)
    present = models.PositiveIntegerField(null=True, blank=True)
    quorum = models.PositiveIntegerField(null=True, blank=True)
    quorate = models.BooleanField(null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.election)

    @property
    def is_ranking(self) -> bool:
        return self.item_id is not None


class NamedVote(models.Model):
    """Where standing orders make votes named, who voted how (published with the result)."""

    live_vote = models.ForeignKey(LiveVote, models.CASCADE, related_name="named")
    participant = models.ForeignKey(Participant, models.PROTECT, related_name="+")
    choice = models.CharField(max_length=10)
    ballots = models.PositiveIntegerField()
    # In a ranking vote the choice is "ranking" and this holds the motion ids, first first.
    ranking = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["live_vote", "participant"], name="named_once")
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.choice}"
