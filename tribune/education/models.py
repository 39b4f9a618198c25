"""Courses, study circles, attendance, completion and the lineage of teaching.

A **course** is a sequence of sessions, each with readings pinned to specific
archive document versions (a later edit of a document never changes what a
course asked its circles to read). A **circle** runs a course in a branch, or
online across branches: one dated session per session of the course, its
facilitators and its participants. **Attendance** is kept per session and
participant (registered, attended, excused). A participant **completes** the
course when they attended at least the course's share of *all* the circle's
scheduled sessions — not of those held so far — and a completion is what makes
a member **eligible to facilitate** the course: nobody appoints facilitators.

Each facilitator of a circle records the circle they graduated from
(``graduated_from``; empty for the course's founders, who wrote it before anyone
could graduate), so the lineage of teaching is a chain of circles.

Who attended what is personal data: only the member and the circle's
facilitators see it (``rules.may_see_attendance``); the audit log names no
participant (``education.attendance`` entries carry the session, not the member).
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    organisation = models.ForeignKey("organisations.Organisation", models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what it is about"), blank=True, max_length=5000)
    # Core courses are the ones the spread dashboard follows.
    core = models.BooleanField(_("a core course"), default=False)
    # Completed when attended sessions >= this share of ALL the circle's scheduled sessions.
    completion_percent = models.PositiveSmallIntegerField(
        _("share of sessions to attend to complete (%)"), default=80
    )
    # Those who wrote the course may facilitate its first circles (nobody has graduated yet).
    founders = models.ManyToManyField("members.Member", related_name="+", blank=True)
    created_by = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:course", args=[self.organisation.slug, self.pk])

    def required_sessions(self, scheduled: int) -> int:
        """Attended sessions needed out of ``scheduled`` (ceiling of the share; at least 1)."""
        return max(1, -(-scheduled * self.completion_percent // 100))


class CourseSession(models.Model):
    course = models.ForeignKey(Course, models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what the session studies"), blank=True, max_length=5000)

    class Meta:
        ordering = ["course", "number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="education_session_unique")
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.number}"


class Reading(models.Model):
    """A reading of a session, pinned to one version of an archive document."""

    session = models.ForeignKey(CourseSession, models.CASCADE, related_name="readings")
    version = models.ForeignKey("archive.DocumentVersion", models.PROTECT, related_name="+")

    class Meta:
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "version"], name="education_reading_once")
        ]

    def __str__(self) -> str:
        return f"Reading {self.pk}"


class Circle(models.Model):
    course = models.ForeignKey(Course, models.PROTECT, related_name="circles")
    organisation = models.ForeignKey("organisations.Organisation", models.CASCADE, related_name="+")
    # None: online, across branches.
    branch = models.ForeignKey(
        "organisations.Branch", models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    opened_by = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:circle", args=[self.organisation.slug, self.pk])

    @property
    def online(self) -> bool:
        return self.branch_id is None


class Facilitator(models.Model):
    circle = models.ForeignKey(Circle, models.CASCADE, related_name="facilitators")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    # The circle this facilitator completed the course in; None for a founder of the course.
    graduated_from = models.ForeignKey(
        Circle, models.PROTECT, null=True, blank=True, related_name="+"
    )
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["circle", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "member"], name="education_facilitate_once")
        ]

    def __str__(self) -> str:
        return f"Facilitator {self.pk}"


class CircleSession(models.Model):
    """One dated session of a circle; its calendar entry is a struggles ``Event``.

    The event is the one source of truth for when the session is and whether it
    was cancelled: the session keeps no copy of its dates, so moving the event
    from the calendar's pages or from the circle's moves the same thing.
    """

    circle = models.ForeignKey(Circle, models.CASCADE, related_name="sessions")
    course_session = models.ForeignKey(CourseSession, models.PROTECT, related_name="+")
    event = models.ForeignKey("struggles.Event", models.PROTECT, related_name="+")

    class Meta:
        ordering = ["circle", "event__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "course_session"], name="education_circle_session_once"
            )
        ]

    def __str__(self) -> str:
        return f"Circle session {self.pk}"

    @property
    def starts_at(self):
        return self.event.starts_at

    @property
    def ends_at(self):
        return self.event.ends_at

    @property
    def cancelled(self) -> bool:
        return self.event.cancelled_at is not None


class Participant(models.Model):
    circle = models.ForeignKey(Circle, models.CASCADE, related_name="participants")
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "member"], name="education_join_once")
        ]

    def __str__(self) -> str:
        return f"Participant {self.pk}"


class AttendanceState(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ATTENDED = "attended", _("attended")
    EXCUSED = "excused", _("excused")


class Attendance(models.Model):
    session = models.ForeignKey(CircleSession, models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=12, choices=AttendanceState.choices, default=AttendanceState.REGISTERED
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="education_attend_once")
        ]

    def __str__(self) -> str:
        return f"Attendance {self.pk}"


class Completion(models.Model):
    """A member completed a course in a circle: they may facilitate it from now on."""

    course = models.ForeignKey(Course, models.CASCADE, related_name="completions")
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="+")
    circle = models.ForeignKey(Circle, models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "member"], name="education_complete_once")
        ]
        indexes = [models.Index(fields=["course", "completed_at"], name="education_done_at")]

    def __str__(self) -> str:
        return f"Completion {self.pk}"
