"""Members, their standing, and the due process around it.

A ``Member`` is one person's membership of one organisation. Applicants are
members with standing ``applicant``; every change of standing is a
``StandingChange`` with its reason and the mandate that made it, and the
decisions that go against a member can be appealed (``Appeal``).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Standing(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    GOOD = "good", _("In good standing")
    LAPSED = "lapsed", _("Lapsed")
    SUSPENDED = "suspended", _("Suspended")
    RESIGNED = "resigned", _("Resigned")
    REFUSED = "refused", _("Application refused")


class Member(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
    )
    home_branch = models.ForeignKey(
        "organisations.Branch", models.PROTECT, related_name="members", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    address = models.TextField(_("address"), blank=True)
    standing = models.CharField(
        _("standing"), max_length=20, choices=Standing.choices, default=Standing.APPLICANT
    )
    application_statement = models.TextField(_("why I want to join"), blank=True)
    applied_at = models.DateTimeField(auto_now_add=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # The directory: members in good standing of one organisation, by name, a page
            # at a time (without it PostgreSQL sorts all 100,000 on every page).
            models.Index(
                fields=["organisation", "standing", "name", "id"], name="member_directory"
            ),
            # The API's list of members, by id (PostgreSQL sorted them all for each call).
            models.Index(fields=["organisation", "standing", "id"], name="member_list_by_id"),
            # The education spread: members in good standing per branch, counted from the
            # index alone (SQLite read each of 100,000 rows for its branch: 185 → 40 ms).
            models.Index(fields=["organisation", "standing", "home_branch"], name="member_spread"),
            # Membership over time: this month's admissions without a change on record
            # (``members.history``), found without reading every member. The date leads,
            # so that SQLite does not take it for reading a whole organisation.
            models.Index(
                Coalesce("admitted_at", "applied_at"),
                "organisation",
                name="member_since",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(user__isnull=False),
                name="one_membership_per_user",
            ),
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=~models.Q(email=""),
                name="one_membership_per_email",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:member", args=[self.organisation.slug, self.pk])

    @property
    def in_good_standing(self) -> bool:
        return self.standing == Standing.GOOD


class StandingChange(models.Model):
    member = models.ForeignKey(Member, models.CASCADE, related_name="standing_changes")
    from_standing = models.CharField(max_length=20, choices=Standing.choices)
    to_standing = models.CharField(max_length=20, choices=Standing.choices)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        Member, models.SET_NULL, null=True, blank=True, related_name="standing_decisions"
    )
    term = models.ForeignKey("offices.Term", models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # Membership over time (``members.history``): this month's changes, and each
            # member's first change read off the index rather than sorted.
            models.Index(fields=["at"], name="standing_change_at"),
            models.Index(fields=["member", "at", "id"], name="standing_change_first"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.from_standing} → {self.to_standing}"

    @property
    def appealable(self) -> bool:
        return self.to_standing in (Standing.REFUSED, Standing.SUSPENDED)


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld: decision reversed")
    DISMISSED = "dismissed", _("Dismissed: decision stands")


class Appeal(models.Model):
    standing_change = models.OneToOneField(StandingChange, models.CASCADE, related_name="appeal")
    body = models.ForeignKey("offices.Body", models.PROTECT, related_name="appeals")
    statement = models.TextField(_("grounds of appeal"))
    status = models.CharField(
        max_length=20, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(Member, models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Appeal against {self.standing_change}"

    @property
    def member(self) -> Member:
        return self.standing_change.member


class ImportStatus(models.TextChoices):
    CHECKED = "checked", _("Checked (dry run)")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")


class ImportJob(models.Model):
    """A CSV membership list, kept whole from upload until every row is imported.

    The job stores the file itself, so an import interrupted half-way resumes
    where it stopped and nothing acknowledged at upload is lost.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(Member, models.PROTECT, related_name="+")
    term = models.ForeignKey("offices.Term", models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255, blank=True)
    csv_text = models.TextField()
    status = models.CharField(max_length=20, choices=ImportStatus.choices)
    total_rows = models.PositiveIntegerField(default=0)  # rows that passed the checks
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list)
    # What the dry run found, counted once when the file was checked (None: a job
    # checked before these were stored; the report counts them on first view).
    new_rows = models.PositiveIntegerField(null=True)
    changed_rows = models.PositiveIntegerField(null=True)
    unchanged_rows = models.PositiveIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Import {self.filename or self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else int(100 * self.processed_rows / self.total_rows)


class ImportRow(models.Model):
    """One good row of an import's file, parsed and checked once at the dry run.

    The import takes its chunks from here by position (0 for the first good row),
    so each chunk reads only its own rows instead of parsing the file again. The
    rows of a job are deleted with its last chunk; the file itself stays with the job.
    """

    job = models.ForeignKey(ImportJob, models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()
    line = models.PositiveIntegerField()  # line of the file, for reports
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254)
    branch = models.CharField(max_length=50)  # a branch's slug
    phone = models.CharField(max_length=50, blank=True)
    address = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="one_import_row_per_position")
        ]

    def __str__(self) -> str:
        return f"Row {self.position} of import {self.job_id}"


class MonthlyStanding(models.Model):
    """Members in good standing at the end of one finished month, kept once (``members.history``).

    ``branch`` is None for the whole organisation. ``members`` is the raw figure
    (suppressed only when shown), or None for a month before the history begins.
    """

    organisation = models.ForeignKey("organisations.Organisation", models.CASCADE, related_name="+")
    branch = models.ForeignKey(
        "organisations.Branch", models.CASCADE, null=True, blank=True, related_name="+"
    )
    month = models.CharField(max_length=7)  # YYYY-MM
    members = models.IntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month"],
                condition=models.Q(branch__isnull=True),
                name="monthly_standing_once",
            ),
            models.UniqueConstraint(
                fields=["organisation", "branch", "month"],
                condition=models.Q(branch__isnull=False),
                name="monthly_standing_once_per_branch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month}: {self.members}"
