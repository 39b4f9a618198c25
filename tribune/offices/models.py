"""Bodies, offices and terms: the only source of power in Tribune.

An office carries a mandate (the text its holder reports against) and the
powers it grants; a term is one member holding one office between two dates.
Power flows from *current* terms only (see ``tribune.offices.rules``).
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from tribune.lib.errors import RuleViolation
from tribune.offices.powers import FACTION_POWERS, POWERS


class BodyKind(models.TextChoices):
    COMMITTEE = "committee", _("Committee")
    DELEGATION = "delegation", _("Delegation")
    STAFF = "staff", _("Full-time staff post")
    COMMISSION = "commission", _("Commission")
    PROVISIONAL = "provisional", _("Provisional committee")
    RETURNING = "returning", _("Returning officers")


class Electorate(models.TextChoices):
    MEMBERS = "members", _("The members of the body's branch (and those below it)")
    BRANCH = "branch", _("The members of another branch (and those below it)")
    BODY = "body", _("The holders of another body's offices")
    CONGRESS = "congress", _("A congress of the whole organisation")


class Body(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", models.CASCADE, related_name="bodies"
    )
    branch = models.ForeignKey(
        "organisations.Branch",
        models.PROTECT,
        related_name="bodies",
        help_text=_("The unit this body serves; its powers reach this branch and those below."),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField()
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    description = models.TextField(_("description"), blank=True)
    faction = models.ForeignKey(
        "factions.Faction",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="bodies",
        help_text=_("Set for a faction's own officers: elected by and answerable to its members."),
    )
    # Made from the constitution's structure (``constitution.structure.materialise``);
    # such bodies change only when a new constitution version is adopted.
    in_structure = models.BooleanField(default=False)
    abolished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "bodies"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="body_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    body = models.ForeignKey(Body, models.CASCADE, related_name="offices")
    title = models.CharField(_("title"), max_length=200)
    mandate = models.TextField(_("mandate"), help_text=_("What the holder is elected to do."))
    powers = models.JSONField(_("powers"), default=list, blank=True)
    term_days = models.PositiveIntegerField(_("term (days)"))
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    # The office's name in the constitution's structure (unique within its body).
    key = models.SlugField(blank=True)
    # Stricter than the constitution's general limit where the structure says so.
    term_limit = models.PositiveSmallIntegerField(_("term limit"), null=True, blank=True)
    # Blank: instant-runoff for one seat, STV for several.
    method = models.CharField(_("counting method"), max_length=20, blank=True)
    electorate_kind = models.CharField(
        _("who elects"), max_length=20, choices=Electorate.choices, default=Electorate.MEMBERS
    )
    electorate_branch = models.ForeignKey(
        "organisations.Branch", models.PROTECT, null=True, blank=True, related_name="+"
    )
    electorate_body = models.ForeignKey(
        "offices.Body", models.PROTECT, null=True, blank=True, related_name="+"
    )
    abolished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["body", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.body})"

    def check_against(self, constitution) -> None:
        """Refuse an office that breaks the constitution's guarantees."""
        if not (self.mandate or "").strip():
            raise RuleViolation(
                _t("Office “%(title)s” has no mandate: every office needs one.")
                % {"title": self.title},
                "mandate",
            )
        if not 1 <= self.term_days <= constitution.max_term_days:
            raise RuleViolation(
                _t(
                    "Office “%(title)s” has a term of %(days)s days; the constitution allows "
                    "at most %(max)s."
                )
                % {"title": self.title, "days": self.term_days, "max": constitution.max_term_days},
                "term_days",
            )
        registry = FACTION_POWERS if self.body.faction_id else POWERS
        unknown = set(self.powers) - set(registry)
        if unknown:
            raise RuleViolation(
                _t("Unknown powers: %(powers)s.") % {"powers": ", ".join(sorted(unknown))},
                "powers",
            )
        if self.seats < 1:
            raise RuleViolation(_t("An office has at least one seat."), "seats")


class TermQuerySet(models.QuerySet):
    def current(self, at=None):
        """Terms in force at ``at``: begun, not past their end, not ended early."""
        at = at or timezone.now()
        return self.filter(starts_at__lte=at, ends_at__gt=at).filter(
            models.Q(ended_at__isnull=True) | models.Q(ended_at__gt=at)
        )


class TermSource(models.TextChoices):
    FOUNDING = "founding", _("Founding (provisional)")
    ELECTION = "election", _("Election")
    BY_ELECTION = "by_election", _("By-election")


class Term(models.Model):
    office = models.ForeignKey(Office, models.PROTECT, related_name="terms")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="terms")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    ended_at = models.DateTimeField(_("ended early"), null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=20, choices=TermSource.choices)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="term_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} as {self.office.title}"

    def is_current(self, at=None) -> bool:
        at = at or timezone.now()
        ended = self.ended_at is not None and self.ended_at <= at
        return self.starts_at <= at < self.ends_at and not ended

    @property
    def length(self) -> timedelta:
        return self.ends_at - self.starts_at
