"""The continuous debate space: polemics and replies, open all year round.

Moderation never deletes: a hidden post keeps its text, and the thread shows
who hid it, under which published rule and why; the author may appeal.

One kind of hiding goes further. A post hidden under a rule that *removes
personal data* (someone's address, workplace, health: doxxing) is withheld:
its text is shown only to its author and to the body that hears appeals,
while the moderation record (who, which rule, why) stays public like any other.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tribune.lib import markdown


class DebateRule(models.Model):
    """A published rule of debate; moderators may act only by citing one."""

    organisation = models.ForeignKey(
        "organisations.Organisation", models.CASCADE, related_name="debate_rules"
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    removes_personal_data = models.BooleanField(
        _("removes personal data"),
        default=False,
        help_text=_(
            "A post hidden under this rule is withheld: only its author and the appeal "
            "body can read it, so personal data published in it leaves members' view."
        ),
    )

    class Meta:
        ordering = ["organisation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="rule_number_unique")
        ]

    def __str__(self) -> str:
        return f"Rule {self.number}"


class Thread(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", models.CASCADE, related_name="threads"
    )
    branch = models.ForeignKey(
        "organisations.Branch", models.PROTECT, null=True, blank=True, related_name="threads"
    )
    faction = models.ForeignKey(
        "factions.Faction",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="threads",
        help_text=_("Set for a faction's internal discussion, visible to its members only."),
    )
    election = models.ForeignKey(
        "elections.Election", models.SET_NULL, null=True, blank=True, related_name="threads"
    )
    subject = models.CharField(
        _("about (a motion, a programme section, a struggle…)"), max_length=200, blank=True
    )
    title = models.CharField(_("title"), max_length=300)
    author = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_post_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_post_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:thread", args=[self.organisation.slug, self.pk])


class Post(models.Model):
    thread = models.ForeignKey(Thread, models.CASCADE, related_name="posts")
    author = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    text = models.TextField(_("text"))
    # ``text`` rendered by tribune.lib.markdown (sanitised), kept so that a page of
    # posts is not rendered again on every view; save() renders it whenever the
    # text is written.
    html = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001 (see 0005)
    hidden = models.BooleanField(default=False)
    # Hidden under a rule that removes personal data: see the module docstring.
    withheld = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The posting limits count a member's recent posts on every post.
            models.Index(fields=["author", "created_at"], name="post_author_recent"),
            # Search walks posts newest first when a word is in most of them
            # (services._newest_on_sqlite): the columns it checks, without the text.
            models.Index(fields=["created_at", "thread", "hidden"], name="post_recent"),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.thread}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "text" in update_fields:
            self.html = markdown.render(self.text)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "html"}
        super().save(*args, **kwargs)

    def rendered(self) -> str:
        """The sanitised HTML of the text (rendered now for a row written without save())."""
        return self.html or markdown.render(self.text)


class ModerationAction(models.Model):
    class Action(models.TextChoices):
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")

    post = models.ForeignKey(Post, models.CASCADE, related_name="moderation")
    action = models.CharField(max_length=10, choices=Action.choices)
    rule = models.ForeignKey(DebateRule, models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField()
    actor = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    term = models.ForeignKey(
        "offices.Term", models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} post {self.post_id}"


class ModerationAppeal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld: the post is restored")
        DISMISSED = "dismissed", _("Dismissed")

    action = models.OneToOneField(ModerationAction, models.CASCADE, related_name="appeal")
    statement = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Appeal against {self.action}"


class Follow(models.Model):
    thread = models.ForeignKey(Thread, models.CASCADE, related_name="follows")
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="follows")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "member"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.member} follows {self.thread}"


class Notification(models.Model):
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="notifications")
    post = models.ForeignKey(Post, models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Notify {self.member} of {self.post}"
