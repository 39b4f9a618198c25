"""The constitution as versioned data, and the guarantees no version may break.

A version is never edited: a change is a new version, adopted by the vote the
current version requires (wired in with elections; until then only the
founding step creates version 1). ``check_guarantees`` is the one place that
says what no organisation may vote away.
"""

from fractions import Fraction

from django.db import models
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from tribune.lib.errors import RuleViolation

# No term may run longer than five years, whatever a constitution says: a
# "maximum term" of a century would make an office permanent in all but name.
ABSOLUTE_MAX_TERM_DAYS = 5 * 366
# More seconders than this would be a roadblock to candidacy (MISSION: no
# roadblock keeps any member from any office).
MAX_SECONDERS = 3
# Recall must stay within reach of the electorate (MISSION: every office recallable).
MAX_RECALL_THRESHOLD_PERCENT = 25


class AdmissionRule(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic: every applicant is admitted")
    OFFICER = "officer", _("By an officer whose mandate includes admissions")


class ConstitutionVersion(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", models.CASCADE, related_name="constitution_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    adopted_at = models.DateTimeField(_("adopted"))
    adopted_how = models.CharField(_("how adopted"), max_length=300)
    preamble = models.TextField(_("preamble"), blank=True)

    default_term_days = models.PositiveIntegerField(_("default term (days)"))
    max_term_days = models.PositiveIntegerField(_("maximum term (days)"))
    term_limit = models.PositiveSmallIntegerField(
        _("term limit (consecutive terms)"), null=True, blank=True
    )
    recall_threshold_percent = models.DecimalField(
        _("recall threshold (% of the electorate)"), max_digits=5, decimal_places=2
    )
    quorum_percent = models.DecimalField(
        _("quorum (% of the electorate voting)"), max_digits=5, decimal_places=2
    )
    faction_threshold = models.PositiveIntegerField(_("faction founding threshold (members)"))
    faction_grace_days = models.PositiveSmallIntegerField(
        _("days a faction may stay below the threshold before it lapses"), default=90
    )
    factions_exclusive = models.BooleanField(
        _("a member may belong to only one faction"), default=False
    )
    private_faction_membership = models.BooleanField(
        _("members may keep their faction membership private"), default=True
    )
    amendment_majority_numerator = models.PositiveSmallIntegerField(default=2)
    amendment_majority_denominator = models.PositiveSmallIntegerField(default=3)
    programme_by_amendment_majority = models.BooleanField(
        _("changes to the programme need the majority for constitutional change"), default=False
    )
    admission_rule = models.CharField(
        _("admission rule"), max_length=20, choices=AdmissionRule.choices
    )
    seconders_required = models.PositiveSmallIntegerField(
        _("seconders a nomination needs"), default=0
    )
    nomination_days = models.PositiveSmallIntegerField(_("nomination period (days)"), default=14)
    voting_days = models.PositiveSmallIntegerField(_("voting period (days)"), default=14)
    election_lead_days = models.PositiveSmallIntegerField(
        _("elections are called this many days before a term ends"), default=42
    )
    recall_vote_days = models.PositiveSmallIntegerField(_("recall vote period (days)"), default=14)
    # What an election to office with no ballots does is a rule of the constitution,
    # never an accident of the count: by default no one is elected without a vote.
    uncontested_returns = models.BooleanField(
        _("candidates not exceeding the seats are returned unopposed, without a vote"),
        default=False,
    )
    # The organisation's bodies and offices (``constitution.structure``): a list of
    # bodies, each with its offices, as the members adopted it. Bodies and offices
    # in the database are made from it, never the other way round.
    structure = models.JSONField(_("structure"), default=list, blank=True)
    # Set while the structure is the provisional committee's: it lapses at this
    # moment unless the members adopt it (referendum or congress) before then.
    structure_provisional_until = models.DateTimeField(
        _("structure provisional until"), null=True, blank=True
    )
    appeal_body = models.ForeignKey(
        "offices.Body",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("body hearing appeals"),
    )

    class Meta:
        ordering = ["organisation", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="constitution_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} constitution v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuleViolation(_t("A constitution version is never edited; adopt a new one."))
        super().save(*args, **kwargs)

    @property
    def amendment_majority(self) -> Fraction:
        return Fraction(self.amendment_majority_numerator, self.amendment_majority_denominator)

    def check_guarantees(self, offices=None) -> None:
        """Raise RuleViolation naming the first guarantee this version would break.

        ``offices`` are the organisation's offices the version must govern (all
        of them by default); each must keep a mandate and a term within the maximum.
        """
        if self.term_limit is None or self.term_limit < 1:
            raise RuleViolation(
                _t("Every office must have a finite term limit of at least one term."),
                "term_limit",
            )
        if not 1 <= self.max_term_days <= ABSOLUTE_MAX_TERM_DAYS:
            raise RuleViolation(
                _t("The maximum term must be between 1 and %(max)s days.")
                % {"max": ABSOLUTE_MAX_TERM_DAYS},
                "max_term_days",
            )
        if not 1 <= self.default_term_days <= self.max_term_days:
            raise RuleViolation(
                _t("The default term must be at least a day and no longer than the maximum."),
                "default_term_days",
            )
        if not 0 < self.recall_threshold_percent <= MAX_RECALL_THRESHOLD_PERCENT:
            raise RuleViolation(
                _t(
                    "Every office must be recallable: the recall threshold must be above 0% "
                    "and at most %(max)s%% of the electorate."
                )
                % {"max": MAX_RECALL_THRESHOLD_PERCENT},
                "recall_threshold_percent",
            )
        if not 0 <= self.quorum_percent <= 100:
            raise RuleViolation(_t("The quorum is a share between 0% and 100%."), "quorum_percent")
        if self.faction_grace_days < 30:
            raise RuleViolation(
                _t("A faction below the threshold must have at least 30 days to recover."),
                "faction_grace_days",
            )
        if self.faction_threshold < 1:
            raise RuleViolation(
                _t("A faction needs at least one founding member."), "faction_threshold"
            )
        if (
            self.amendment_majority_denominator == 0
            or not Fraction(1, 2) <= self.amendment_majority <= 1
        ):
            raise RuleViolation(
                _t("The majority for constitutional change must be between one half and all."),
                "amendment_majority_numerator",
            )
        if self.seconders_required > MAX_SECONDERS:
            raise RuleViolation(
                _t("Any member may stand: a nomination may need at most %(max)s seconders.")
                % {"max": MAX_SECONDERS},
                "seconders_required",
            )
        if not 1 <= self.voting_days <= 60 or not 1 <= self.recall_vote_days <= 60:
            raise RuleViolation(_t("A vote stays open between 1 and 60 days."), "voting_days")
        if not 1 <= self.nomination_days <= 60:
            raise RuleViolation(
                _t("Nominations stay open between 1 and 60 days."), "nomination_days"
            )
        needed = self.nomination_days + self.voting_days
        if self.election_lead_days < needed:
            raise RuleViolation(
                _t(
                    "Elections must be called at least %(days)s days before terms end, "
                    "so that nominations and voting finish in time."
                )
                % {"days": needed},
                "election_lead_days",
            )
        if self.appeal_body is not None and self.appeal_body.organisation_id != (
            self.organisation_id
        ):
            raise RuleViolation(
                _t("Appeals must go to a body of this organisation."), "appeal_body"
            )
        from tribune.constitution.structure import check_structure

        check_structure(self)
        if offices is None:
            from tribune.offices.models import Office

            offices = Office.objects.filter(
                body__organisation_id=self.organisation_id,
                abolished_at__isnull=True,
                body__in_structure=False,
            )
        for office in offices:
            office.check_against(self)
