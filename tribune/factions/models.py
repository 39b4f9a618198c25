"""Permanent factions: members organising openly for a line, all year round.

A faction is founded by signatures, keeps a versioned platform and its own
officers (a ``Body`` of the offices app with ``faction`` set, so mandates,
terms, elections and recall are the same machinery as the organisation's),
and ends only by its own members' vote or by falling below the founding
threshold for longer than the constitution's grace period. No power in the
registry lets an officer of the organisation dissolve or suspend one.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class FactionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Collecting founding signatures")
    REGISTERED = "registered", _("Registered")
    DISSOLVED = "dissolved", _("Dissolved")


class Faction(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", models.CASCADE, related_name="factions"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField()
    status = models.CharField(
        max_length=20, choices=FactionStatus.choices, default=FactionStatus.PROPOSED
    )
    proposed_by = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    below_threshold_since = models.DateTimeField(null=True, blank=True)
    dissolved_at = models.DateTimeField(null=True, blank=True)
    dissolved_how = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="faction_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:faction", args=[self.organisation.slug, self.slug])

    def current_platform(self):
        return self.platform_versions.order_by("-number").first()


class FoundingSignature(models.Model):
    faction = models.ForeignKey(Faction, models.CASCADE, related_name="founding_signatures")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["faction", "member"], name="found_once")]

    def __str__(self) -> str:
        return f"{self.member} founds {self.faction}"


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: anyone can see I belong")
    PRIVATE = "private", _("Private: only the faction's officers and I know")


class FactionMembership(models.Model):
    faction = models.ForeignKey(Faction, models.CASCADE, related_name="memberships")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="faction_memberships")
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["faction", "member"], name="join_once")]

    def __str__(self) -> str:
        return f"{self.member} in {self.faction}"


class PlatformVersion(models.Model):
    faction = models.ForeignKey(Faction, models.CASCADE, related_name="platform_versions")
    number = models.PositiveIntegerField()
    text = models.TextField(_("platform"))
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey("members.Member", models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["faction", "number"], name="platform_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.faction} platform v{self.number}"


class Statement(models.Model):
    faction = models.ForeignKey(Faction, models.CASCADE, related_name="statements")
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("statement"))
    published_by = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    term = models.ForeignKey("offices.Term", models.PROTECT, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title


class Endorsement(models.Model):
    """A faction backs a candidate: on the election information page, never on the ballot."""

    faction = models.ForeignKey(Faction, models.CASCADE, related_name="endorsements")
    candidacy = models.ForeignKey(
        "elections.Candidacy", models.CASCADE, related_name="endorsements"
    )
    term = models.ForeignKey("offices.Term", models.PROTECT, related_name="+")
    endorsed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["faction", "candidacy"], name="endorse_once")
        ]

    def __str__(self) -> str:
        return f"{self.faction} endorses {self.candidacy}"
