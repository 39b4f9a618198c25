"""The living archive: documents with immutable versions, published by a mandate.

A document is proposed by any member in good standing, as Markdown or an
uploaded PDF (whose text is extracted for search); every edit, and every
restoration of an old text, is a new ``DocumentVersion``, and a saved version
can never be changed or deleted. A version becomes what the archive shows
only when someone holding the ``curate_archive`` power publishes it, giving a
reason; a refusal is public with its reason, and the proposer may appeal it to
the constitution's appeal body like any other act of a mandate.

Documents are public (readable by anyone, without an account: the archive
serves the wider movement) or for members only.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from tribune.lib.errors import RuleViolation


class Kind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    LESSONS = "lessons", _("Lessons of a struggle")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: anyone can read it")
    MEMBERS = "members", _("Members only")


class Format(models.TextChoices):
    MARKDOWN = "markdown", _("Written text")
    PDF = "pdf", _("PDF file")


class Document(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    visibility = models.CharField(
        _("who may read it"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    lessons_of = models.CharField(
        _("the struggle or campaign it draws lessons from"), max_length=200, blank=True
    )
    proposed_by = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The version the archive shows; None until one is published.
    published = models.ForeignKey(
        "archive.DocumentVersion", models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    tags = models.ManyToManyField("archive.Tag", blank=True, related_name="documents")

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "published_at"], name="archive_doc_pub")]

    def __str__(self) -> str:
        return f"Document {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("web:archive_document", args=[self.organisation.slug, self.pk])

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.published_id is not None


class VersionQuerySet(models.QuerySet):
    """Saved versions are never changed nor deleted, not even in bulk."""

    def update(self, **kwargs):
        raise RuleViolation(_t("A version of a document cannot be changed after it is saved."))

    def delete(self):
        raise RuleViolation(_t("A version of a document cannot be deleted."))


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=300)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.MARKDOWN)
    # The Markdown written, or the text extracted from the PDF (for search and comparison).
    text = models.TextField(_("text"), blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_name = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("what this version changes"), max_length=500, blank=True)
    author = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="archive_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise RuleViolation(_t("A version of a document cannot be changed after it is saved."))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "web:archive_version",
            args=[self.document.organisation.slug, self.document_id, self.number],
        )

    def delete(self, *args, **kwargs):
        raise RuleViolation(_t("A version of a document cannot be deleted."))


class Decision(models.Model):
    """A curator's publication or refusal of a proposed version, with the reason."""

    class Outcome(models.TextChoices):
        PUBLISHED = "published", _("Published")
        REFUSED = "refused", _("Refused")

    version = models.OneToOneField(DocumentVersion, models.CASCADE, related_name="decision")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    term = models.ForeignKey("offices.Term", models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.outcome} {self.version}"


class Appeal(models.Model):
    """The proposer's appeal against a refusal, heard by the constitution's appeal body."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld: the version is published")
        DISMISSED = "dismissed", _("Dismissed: the refusal stands")

    decision = models.OneToOneField(Decision, models.CASCADE, related_name="appeal")
    statement = models.TextField(_("grounds of appeal"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Appeal against {self.decision}"


class Tag(models.Model):
    """A word filed under, kept per language (a tag is a word of one language)."""

    organisation = models.ForeignKey("organisations.Organisation", models.CASCADE, related_name="+")
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["language", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "language", "name"], name="archive_tag_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Link(models.Model):
    """A document refers to a motion, a programme section, a debate thread or an election."""

    class Target(models.TextChoices):
        MOTION = "motion", _("Motion")
        SECTION = "section", _("Programme section")
        THREAD = "thread", _("Debate thread")
        ELECTION = "election", _("Election or vote")

    document = models.ForeignKey(Document, models.CASCADE, related_name="links")
    target = models.CharField(max_length=10, choices=Target.choices)
    # The object's id, or a programme section's key (sections are versioned; the key stays).
    ref = models.CharField(max_length=60)
    added_by = models.ForeignKey("members.Member", models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "target", "ref"], name="archive_link_unique"
            )
        ]
        indexes = [models.Index(fields=["target", "ref"], name="archive_link_target")]

    def __str__(self) -> str:
        return f"{self.document} → {self.target} {self.ref}"
