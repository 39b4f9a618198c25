"""Struggles and campaigns, their pledges, events and solidarity requests.

Ownership: a struggle, pledge or event belongs to an organisation and, within
it, to one branch (or to the organisation as a whole when ``branch`` is empty).
The network issue adds coalitions as a third kind of owner: every owned row
reads its owner through ``owner_kind``/``owner_label`` rather than assuming a
branch, so that addition is a new kind, not a rewrite.

Identity: every object that may one day travel to another server (a struggle,
a pledge, an event, a solidarity request and each response to it) carries a
``uid`` (a UUID) from its creation; its URI is the server's base URL plus that
uid. Responses to a solidarity request name the responder by URI and name as
text, never by a foreign key into the requester's tables: a responder on
another server has no row here.
"""

import uuid
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("everyone")
    MEMBERS = "members", _("members only")


class StruggleStatus(models.TextChoices):
    PREPARING = "preparing", _("preparing")
    ACTIVE = "active", _("active")
    WON = "won", _("won")
    LOST = "lost", _("lost")
    SUSPENDED = "suspended", _("suspended")


ENDED = frozenset({StruggleStatus.WON, StruggleStatus.LOST})


class Owned(models.Model):
    """An organisation's, or one branch's (the owner abstraction coalitions will extend)."""

    organisation = models.ForeignKey("organisations.Organisation", models.CASCADE, related_name="+")
    branch = models.ForeignKey(
        "organisations.Branch", models.CASCADE, null=True, blank=True, related_name="+"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The third kind of owner (tribune.networks): a coalition or network this is run
    # with, named by URI and name (it may live on another server). Empty: not shared.
    concert_uri = models.CharField(max_length=500, blank=True, db_index=True)
    concert_name = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def owner_kind(self) -> str:
        if self.concert_uri:
            return "network" if "/id/network/" in self.concert_uri else "coalition"
        return "branch" if self.branch_id else "organisation"

    @property
    def owner_label(self) -> str:
        if self.concert_uri:
            return self.concert_name
        return self.branch.name if self.branch_id else self.organisation.name


class Struggle(Owned):
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what it is about"), blank=True, max_length=20000)
    status = models.CharField(
        _("status"), max_length=20, choices=StruggleStatus.choices, default=StruggleStatus.PREPARING
    )
    visibility = models.CharField(
        _("who may see it"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # Keys of the programme sections it fights for (stable across programme versions).
    programme_keys = models.JSONField(default=list, blank=True)
    lessons_link = models.URLField(_("lessons in the archive"), blank=True, max_length=500)
    created_by = models.ForeignKey(
        "members.Member", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.title


class StruggleUpdate(models.Model):
    struggle = models.ForeignKey(Struggle, models.CASCADE, related_name="updates")
    text = models.TextField(_("update"), max_length=20000)
    visibility = models.CharField(
        _("who may see it"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status_to = models.CharField(max_length=20, choices=StruggleStatus.choices, blank=True)
    author = models.ForeignKey(
        "members.Member", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    term = models.ForeignKey(
        "offices.Term", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Update on {self.struggle}"


# --- critical-mass pledges ---------------------------------------------------------------


class PledgeState(models.TextChoices):
    OPEN = "open", _("open")
    TRIGGERED = "triggered", _("reached: we act")
    FAILED = "failed", _("not reached by the deadline")
    # With a second key only: the number is reached, the go is still to be given.
    AWAITING = "awaiting", _("reached: waiting for the go")
    CALLED_OFF = "called_off", _("reached, but no go was given")


class SecondKey(models.TextChoices):
    """Who turns the second key once the number is reached (none: the number is the go)."""

    NONE = "", _("none: reaching the number is the go")
    BODY = "body", _("a named body decides")
    VOTE = "vote", _("those who pledged vote")


class PledgeProgress:
    """How far a pledge has come, as its pages show it: a pledge here and a concert pledge
    (``tribune.networks``) alike, each with its ``state()``, ``threshold`` and the number
    pledged so far in the field ``progress_field``."""

    progress_field = "count"

    @property
    def state_label(self) -> str:
        return PledgeState(self.state()).label

    @property
    def percent(self) -> int:
        return min(100, (100 * getattr(self, self.progress_field)) // max(self.threshold, 1))


class Pledge(PledgeProgress, Owned):
    """ "We will do X if N commit by D." Who pledged is known only to each pledger."""

    struggle = models.ForeignKey(
        Struggle, models.CASCADE, null=True, blank=True, related_name="pledges"
    )
    action = models.CharField(_("what we will do"), max_length=300)
    details = models.TextField(_("details"), blank=True, max_length=20000)
    unit = models.CharField(_("named unit (a workplace, a building)"), max_length=200, blank=True)
    threshold = models.PositiveIntegerField(_("how many must commit"))
    deadline = models.DateTimeField(_("deadline"))
    follow_up_days = models.PositiveSmallIntegerField(
        _("ask 'did you act?' after (days)"), null=True, blank=True
    )
    # Live pledges (not withdrawn): a counter kept in the same transaction as each pledge.
    count = models.PositiveIntegerField(default=0)
    triggered_at = models.DateTimeField(null=True, blank=True)
    # When every pledger at the trigger had their notice written: the trigger commits
    # with this empty (the durable to-do), and the task queue, or the clock, fills it.
    trigger_told_at = models.DateTimeField(null=True, blank=True)
    # The optional second key: when the number is reached, a body or the pledgers' vote
    # decides "go" within ``decide_hours``; without a go by then the action is off.
    second_key = models.CharField(
        _("second key"), max_length=10, choices=SecondKey.choices, default="", blank=True
    )
    decider = models.ForeignKey(
        "offices.Body", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decide_hours = models.PositiveIntegerField(null=True, blank=True)
    decide_by = models.DateTimeField(null=True, blank=True)  # set by the trigger
    decided_at = models.DateTimeField(null=True, blank=True)
    go = models.BooleanField(null=True, blank=True)
    # The pledgers' vote on the go, as counts only (each vote is on its own commitment).
    go_votes = models.PositiveIntegerField(default=0)
    stop_votes = models.PositiveIntegerField(default=0)
    failure_noticed_at = models.DateTimeField(null=True, blank=True)
    follow_up_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "members.Member", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    term = models.ForeignKey(
        "offices.Term", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.action

    def state(self, now=None) -> str:
        """Computed when read: no worker is needed for a missed deadline to read as failed.

        With a second key, the reached number waits for the go; when the time to
        decide has passed the vote's counts decide (more go than stop), and a body
        that gave no go has given none: the action is off.
        """
        now = now or timezone.now()
        if self.triggered_at is not None:
            if not self.second_key:
                return PledgeState.TRIGGERED
            if self.decided_at is not None:
                return PledgeState.TRIGGERED if self.go else PledgeState.CALLED_OFF
            if self.decide_by is not None and now > self.decide_by:
                return PledgeState.TRIGGERED if self.vote_says_go() else PledgeState.CALLED_OFF
            return PledgeState.AWAITING
        if now > self.deadline:
            return PledgeState.FAILED
        return PledgeState.OPEN

    def vote_says_go(self) -> bool:
        return self.second_key == SecondKey.VOTE and self.go_votes > self.stop_votes


class PledgeUnit(models.Model):
    """A named unit of a pledge (a building, a workplace) with its own target.

    A pledge with units triggers only when its number is reached *and* every
    unit has reached its target: a rent strike needs enough tenants in each
    building, not just enough in all. Each unit's count is public, like the total.
    """

    pledge = models.ForeignKey(Pledge, models.CASCADE, related_name="units")
    name = models.CharField(_("unit"), max_length=200)
    target = models.PositiveIntegerField(_("target"))
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["pledge", "name"], name="pledge_unit_once")]

    def __str__(self) -> str:
        return self.name

    @property
    def reached(self) -> bool:
        return self.count >= self.target


class Commitment(models.Model):
    """One member's pledge: private to them. Never shown to anyone else, never logged."""

    pledge = models.ForeignKey(Pledge, models.CASCADE, related_name="commitments")
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="+")
    unit = models.ForeignKey(PledgeUnit, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    acted = models.BooleanField(null=True, blank=True)
    # The pledger's own vote on the go (second key by vote): private like the pledge.
    go_vote = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pledge", "member"], name="one_pledge_per_member")
        ]

    def __str__(self) -> str:
        return f"Commitment {self.pk}"


# --- notices -------------------------------------------------------------------------------


class Notice(models.Model):
    """A notice to one member, in Tribune and by email; each (member, key) exists once."""

    member = models.ForeignKey("members.Member", models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)  # e.g. "pledge:12:triggered", unique per member
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["member", "key"], name="notice_once")]
        # ``notify`` counts a key's notices inside the trigger's transaction: by index,
        # not by a scan of every notice ever written.
        indexes = [models.Index(fields=["emailed_at"]), models.Index(fields=["key"])]

    def __str__(self) -> str:
        return self.text


class EmailChoice(models.TextChoices):
    EACH = "each", _("each notice by email")
    DIGEST = "digest", _("one email a day with the day's notices")
    NONE = "none", _("no email: in Tribune only")


class NoticePreference(models.Model):
    """How a member wants their notices: always in Tribune, and by email as chosen."""

    member = models.OneToOneField("members.Member", models.CASCADE, related_name="+")
    email = models.CharField(
        _("email"), max_length=10, choices=EmailChoice.choices, default=EmailChoice.EACH
    )

    def __str__(self) -> str:
        return f"Notice preference {self.pk}"


# --- events --------------------------------------------------------------------------------


class EventKind(models.TextChoices):
    MEETING = "meeting", _("meeting")
    ACTION = "action", _("action")
    PICKET = "picket", _("picket")
    STUDY = "study", _("study session")


def default_reminders() -> list:
    return [1440, 60]


class Event(Owned):
    struggle = models.ForeignKey(
        Struggle, models.CASCADE, null=True, blank=True, related_name="events"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, default=EventKind.MEETING
    )
    description = models.TextField(_("description"), blank=True, max_length=20000)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    visibility = models.CharField(
        _("who may see it"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # Minutes before the start at which those signed up are reminded.
    reminders = models.JSONField(default=default_reminders, blank=True)
    sequence = models.PositiveIntegerField(default=0)  # iCalendar SEQUENCE: raised on each change
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "members.Member", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["organisation", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


class SignupState(models.TextChoices):
    SIGNED_UP = "signed_up", _("signed up")
    ATTENDED = "attended", _("attended")
    NO_SHOW = "no_show", _("did not come")


class Signup(models.Model):
    event = models.ForeignKey(Event, models.CASCADE, related_name="signups")
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="+")
    state = models.CharField(max_length=20, choices=SignupState.choices, default="signed_up")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "member"], name="signup_once")]

    def __str__(self) -> str:
        return f"Signup {self.pk}"


class Task(Owned):
    """A task or a shift: somebody must do it; it needs at least ``min_people``.

    A shift has a start and an end (an hour on the picket line); a task may
    have neither (print the leaflets). Who signed up is shown to the organisers
    whose mandate reaches it and to each person for themselves, as for events.
    """

    struggle = models.ForeignKey(
        Struggle, models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    event = models.ForeignKey(Event, models.CASCADE, null=True, blank=True, related_name="tasks")
    title = models.CharField(_("what needs doing"), max_length=200)
    details = models.TextField(_("details"), blank=True, max_length=5000)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    min_people = models.PositiveIntegerField(_("at least (people)"), default=1)
    max_people = models.PositiveIntegerField(_("at most (people)"), null=True, blank=True)
    visibility = models.CharField(
        _("who may see it"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    taken = models.PositiveIntegerField(default=0)  # people signed up, kept under the row lock
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "members.Member", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def status(self) -> str:
        if self.done_at is not None:
            return "done"
        if self.max_people is not None and self.taken >= self.max_people:
            return "full"
        if self.taken >= self.min_people:
            return "enough"
        return "needs_people"

    @property
    def status_label(self) -> str:
        return {
            "done": _("done"),
            "full": _("full"),
            "enough": _("enough people"),
            "needs_people": _("needs people"),
        }[self.status]

    @property
    def missing(self) -> int:
        return max(0, self.min_people - self.taken)


class TaskSignup(models.Model):
    task = models.ForeignKey(Task, models.CASCADE, related_name="signups")
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "member"], name="task_signup_once")]

    def __str__(self) -> str:
        return f"Task signup {self.pk}"


class CalendarToken(models.Model):
    """A member's personal calendar feed address: revocable, stored only as a digest."""

    member = models.ForeignKey("members.Member", models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar token {self.pk}"


# --- solidarity ----------------------------------------------------------------------------


class SolidarityKind(models.TextChoices):
    PEOPLE = "people", _("people on a date")
    MONEY = "money", _("money pledged")
    STATEMENT = "statement", _("statements")
    BOYCOTT = "boycott", _("a boycott")


class SolidarityStatus(models.TextChoices):
    OPEN = "open", _("open")
    MET = "met", _("met")
    CLOSED = "closed", _("closed")


class SolidarityRequest(Owned):
    struggle = models.ForeignKey(Struggle, models.CASCADE, related_name="solidarity_requests")
    kind = models.CharField(_("kind of help"), max_length=20, choices=SolidarityKind.choices)
    title = models.CharField(_("what we ask"), max_length=200)
    details = models.TextField(_("details"), blank=True, max_length=20000)
    quantity = models.PositiveIntegerField(_("how many (people, pounds, statements)"))
    on_date = models.DateField(_("on the date"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"))
    # Who is asked: [{"uri": "...", "name": "..."}] — branches here, organisations anywhere.
    asked = models.JSONField(default=list, blank=True)
    asked_branches = models.ManyToManyField("organisations.Branch", blank=True, related_name="+")
    status = models.CharField(
        max_length=20, choices=SolidarityStatus.choices, default=SolidarityStatus.OPEN
    )
    created_by = models.ForeignKey(
        "members.Member", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.title

    def current_status(self, now=None) -> str:
        """Read lazily: a request past its deadline reads closed with no worker running."""
        if self.status == SolidarityStatus.CLOSED:
            return self.status
        if (now or timezone.now()) > self.deadline:
            return SolidarityStatus.CLOSED
        return self.status


class SolidarityResponse(models.Model):
    """A commitment in answer to a request: the responder named by URI, not by a row here."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(SolidarityRequest, models.CASCADE, related_name="responses")
    responder_uri = models.CharField(max_length=500)
    responder_name = models.CharField(max_length=200)
    amount = models.PositiveIntegerField(_("how many (people, pounds, statements)"))
    note = models.TextField(_("note"), blank=True, max_length=5000)
    # Set when the response came from this server (the officer who answered); empty from afar.
    responder_branch = models.ForeignKey(
        "organisations.Branch", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.responder_name}: {self.amount}"
