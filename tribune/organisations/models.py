"""Organisations and their tree of branches (local → regional → national, any depth)."""

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def validate_time_zone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(name)s” is not a time zone name (e.g. Europe/Madrid)."), params={"name": name}
        )


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    description = models.TextField(_("description"), blank=True)
    # Every deadline is shown in this zone, and says so (an IANA name, e.g. Europe/Madrid).
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    # The language its pages speak to members who chose none ("": the browser's).
    language = models.CharField(
        _("default language"), max_length=8, blank=True, choices=settings.LANGUAGES
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The organisation's identity beyond this server: its actor URI ends in this uid
    # (networks and coalitions name their members by URI, wherever they live).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:organisation", args=[self.slug])

    @property
    def uri(self) -> str:
        """The organisation's actor URI: how networks, coalitions and other servers name it."""
        return f"{settings.TRIBUNE_SITE_URL.rstrip('/')}/id/organisation/{self.uid}"

    @property
    def root_branch(self) -> "Branch":
        return self.branches.get(parent=None)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The organisation's time zone (UTC if the stored name is unknown here)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def current_constitution(self):
        return self.constitution_versions.order_by("-number").first()


class Branch(models.Model):
    """A unit of the organisation; the root branch is the organisation as a whole."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="branches")
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"))
    level = models.CharField(
        _("level"), max_length=50, help_text=_("e.g. national, regional, local")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="branch_slug_unique"),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(parent=None),
                name="one_root_branch_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:branch", args=[self.organisation.slug, self.slug])

    def ancestors(self) -> list["Branch"]:
        """This branch and every branch above it, nearest first."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def subtree_ids(self) -> set[int]:
        """Ids of this branch and every branch below it (one query for the whole tree)."""
        rows = Branch.objects.filter(organisation_id=self.organisation_id).values_list(
            "id", "parent_id"
        )
        children: dict[int | None, list[int]] = {}
        for branch_id, parent_id in rows:
            children.setdefault(parent_id, []).append(branch_id)
        found, stack = set(), [self.id]
        while stack:
            branch_id = stack.pop()
            found.add(branch_id)
            stack.extend(children.get(branch_id, []))
        return found

    def contains(self, other: "Branch") -> bool:
        return any(b.id == self.id for b in other.ancestors())


class FoundingRequest(models.Model):
    """Someone's request to found an organisation on this server, kept until decided.

    Whether anyone may found one is the operator's choice (``TRIBUNE_FOUNDING``):
    open requests are founded at once; on approval they wait for the operator's
    ``tribune founding approve``. The request keeps everything founding needs,
    so approving it later founds exactly what was asked.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the server's operator")
        FOUNDED = "founded", _("Founded")
        REFUSED = "refused", _("Refused by the server's operator")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="founding_requests"
    )
    founder_name = models.CharField(_("your name"), max_length=200)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"))
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("default language"), max_length=8, blank=True, choices=settings.LANGUAGES
    )
    preset = models.CharField(_("constitution template"), max_length=50)
    constitution = models.JSONField(default=dict)
    branches = models.JSONField(default=list)
    co_founders = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True)
    organisation = models.OneToOneField(
        Organisation, models.SET_NULL, null=True, blank=True, related_name="founding_request"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class FoundingInvitation(models.Model):
    """A co-founder invited to a seat on a provisional committee, until they accept.

    Accepted only by a logged-in account with this verified email address, and
    only while the founders' provisional terms run: a co-founder's seat lapses
    with theirs.
    """

    class Seat(models.TextChoices):
        COMMITTEE = "committee", _("Provisional committee")
        APPEALS = "appeals", _("Provisional appeals committee")

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="founding_invitations"
    )
    email = models.EmailField(_("email"))
    seat = models.CharField(max_length=20, choices=Seat.choices, default=Seat.COMMITTEE)
    invited_by = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    member = models.OneToOneField(
        "members.Member", models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"], name="one_founding_invitation_per_email"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"
