"""Elections, votes, recall petitions and mandate reports.

The secret ballot is kept in two tables that share nothing but the election:
``VoterRoll`` says who may vote and whether they have, ``Ballot`` holds what
was voted. Neither has a timestamp; a ballot's key is a random UUID (on SQLite
the box has no rowid and is stored in that key's order); at the close of voting
box and roll are rewritten in random order (``elections.sealing``), so neither
row order nor storage order can link a ballot to the voter who cast it. What
PostgreSQL keeps while a vote is open is said in docs/elections.md.
"""

import uuid

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    OFFICE = "office", _("Election to office")
    RECALL = "recall", _("Recall vote")
    REFERENDUM = "referendum", _("Referendum")
    AMENDMENT = "amendment", _("Constitutional amendment")
    DISSOLUTION = "dissolution", _("Dissolution of a faction by its members")
    ASSEMBLY = "assembly", _("Vote at an assembly")


class Method(models.TextChoices):
    IRV = "irv", _("Instant-runoff (preferential)")
    SCOTTISH_STV = "scottish-stv", _("Single transferable vote (Scottish rules)")
    MEEK_STV = "meek-stv", _("Single transferable vote (Meek)")
    YES_NO = "yes-no", _("Yes / no / abstain")
    # Orders options that are not candidacies (an assembly's competing motions).
    SCHULZE = "schulze", _("Ranking (Schulze)")


# What a yes/no ballot may say, in the order results list them.
YES_NO_CHOICES = ("yes", "no", "abstain")


class Status(models.TextChoices):
    CALLED = "called", _("Called")
    NOMINATIONS = "nominations", _("Nominations open")
    NOMINATIONS_CLOSED = "nominations_closed", _("Nominations closed")
    VOTING = "voting", _("Voting open")
    VOTING_CLOSED = "voting_closed", _("Voting closed")
    COUNTED = "counted", _("Counted")
    CERTIFIED = "certified", _("Result certified")
    CANCELLED = "cancelled", _("Cancelled")


class Election(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", models.CASCADE, related_name="elections"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    question = models.TextField(_("question or description"), blank=True)
    office = models.ForeignKey(
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="elections"
    )
    seats = models.PositiveSmallIntegerField(default=1)
    method = models.CharField(max_length=20, choices=Method.choices)
    electorate = models.ForeignKey(
        "organisations.Branch",
        models.PROTECT,
        related_name="+",
        help_text=_("Members in good standing of this branch and those below it vote."),
    )
    faction = models.ForeignKey(
        "factions.Faction",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="elections",
        help_text=_("Set when the faction's members are the electorate."),
    )
    electorate_body = models.ForeignKey(
        "offices.Body",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set when the holders of this body's offices are the electorate."),
    )
    electorate_assembly = models.ForeignKey(
        "assemblies.Assembly",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set when a congress's participants elect, at its sitting."),
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CALLED)
    nominations_open_at = models.DateTimeField(null=True, blank=True)
    nominations_close_at = models.DateTimeField(null=True, blank=True)
    voting_open_at = models.DateTimeField()
    voting_close_at = models.DateTimeField()
    allow_vote_change = models.BooleanField(_("voters may change their vote"), default=True)
    returning_office = models.OneToOneField(
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="run_election"
    )
    called_by = models.ForeignKey(
        "members.Member", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amendment = models.JSONField(null=True, blank=True)
    seed = models.BigIntegerField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    passed = models.BooleanField(null=True)
    turnout = models.PositiveIntegerField(null=True, blank=True)
    electorate_size = models.PositiveIntegerField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    # Majority and quorum for yes/no votes whose rule is not the constitution's
    # (e.g. an assembly's standing orders): {"threshold": "2/3", "strict": false, ...}.
    motion_rule = models.JSONField(null=True, blank=True)
    # What is ranked when the options are not candidacies (e.g. an assembly's competing
    # motions): [[id, name], ...] in ballot order; ballots list these ids. Null elsewhere.
    options = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-voting_close_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(voting_close_at__gt=models.F("voting_open_at")),
                name="voting_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:election", args=[self.organisation.slug, self.pk])

    @property
    def is_ranked(self) -> bool:
        return self.method != Method.YES_NO

    @property
    def has_candidates(self) -> bool:
        return self.kind == Kind.OFFICE


class Candidacy(models.Model):
    election = models.ForeignKey(Election, models.CASCADE, related_name="candidacies")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="candidacies")
    nominated_by = models.ForeignKey(
        "members.Member", models.PROTECT, related_name="nominations_made"
    )
    statement = models.TextField(_("statement"), blank=True)
    faction_label = models.CharField(
        _("faction affiliation (optional)"), max_length=200, blank=True
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    elected_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member__name"]
        constraints = [
            models.UniqueConstraint(fields=["election", "member"], name="one_candidacy_each")
        ]

    def __str__(self) -> str:
        return f"{self.member} for {self.election}"

    @property
    def standing(self) -> bool:
        """On the ballot: accepted and not withdrawn."""
        return self.accepted_at is not None and self.withdrawn_at is None


class Seconding(models.Model):
    candidacy = models.ForeignKey(Candidacy, models.CASCADE, related_name="secondings")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidacy", "member"], name="second_once")]

    def __str__(self) -> str:
        return f"{self.member} seconds {self.candidacy}"


class VoterRoll(models.Model):
    """Who may vote in an election and whether they have. No time, no link to a ballot."""

    election = models.ForeignKey(Election, models.CASCADE, related_name="roll")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    voted = models.BooleanField(default=False)
    # Ballots this entry casts: the members a congress delegate represents (1 elsewhere).
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "member"], name="on_roll_once")]

    def __str__(self) -> str:
        return f"{self.member} in {self.election}"


class Ballot(models.Model):
    """What was voted. No voter, no time; the key is random."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, models.CASCADE, related_name="ballots")
    choice = models.JSONField()
    tracker = models.CharField(max_length=64, unique=True)
    # sha256 of the secret key the voter holds to replace this ballot; "" if not replaceable.
    key_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["tracker"]

    def __str__(self) -> str:
        return self.tracker


class PetitionStatus(models.TextChoices):
    OPEN = "open", _("Collecting signatures")
    VOTE = "vote", _("Recall vote under way")
    PASSED = "passed", _("Recalled")
    FAILED = "failed", _("Recall vote failed")
    LAPSED = "lapsed", _("Lapsed (the term ended)")


class RecallPetition(models.Model):
    term = models.ForeignKey("offices.Term", models.PROTECT, related_name="recall_petitions")
    opened_by = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    reason = models.TextField(_("why the holder should be recalled"))
    threshold = models.PositiveIntegerField()
    electorate_size = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=PetitionStatus.choices, default=PetitionStatus.OPEN
    )
    holder_reply = models.TextField(blank=True)
    election = models.OneToOneField(
        Election, models.PROTECT, null=True, blank=True, related_name="recall_petition"
    )
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Recall of {self.term}"

    def get_absolute_url(self) -> str:
        return reverse("web:recall", args=[self.term.office.body.organisation.slug, self.pk])


class RecallSignature(models.Model):
    petition = models.ForeignKey(RecallPetition, models.CASCADE, related_name="signatures")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["petition", "member"], name="sign_once")]

    def __str__(self) -> str:
        return f"{self.member} signs {self.petition}"


class MandateReport(models.Model):
    term = models.ForeignKey("offices.Term", models.PROTECT, related_name="reports")
    title = models.CharField(_("title"), max_length=300)
    done = models.TextField(_("what was done"))
    not_done = models.TextField(_("what was not done, and why"), blank=True)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title


class ReportComment(models.Model):
    report = models.ForeignKey(MandateReport, models.CASCADE, related_name="comments")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Comment by {self.member}"


class TurnoutDay(models.Model):
    """How many on the roll had voted by the end of one day of the voting window.

    Written by the clock at its first tick after the day ends (and by the count
    for the last day), never by a cast: a cast that wrote here would leave its
    time beside its ballot and its mark on the roll (on PostgreSQL they would
    share a transaction id), which is the link the secret ballot forbids. A
    count per day says nothing of whom or which ballot.
    """

    election = models.ForeignKey(Election, models.CASCADE, related_name="turnout_days")
    day = models.DateField()  # in the organisation's time zone
    voted = models.PositiveIntegerField()

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["election", "day"], name="turnout_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.election}: {self.voted} by the end of {self.day}"
