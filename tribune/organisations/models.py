"""Organisations and their tree of branches (local → regional → national, any depth)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:organisation", args=[self.slug])

    @property
    def root_branch(self) -> "Branch":
        return self.branches.get(parent=None)

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
