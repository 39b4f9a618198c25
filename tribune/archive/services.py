"""Archive actions: propose, edit, restore, publish or refuse, appeal, tag, link, search.

Who may read:

* a **published, public** document: anyone, without an account;
* a **members-only** document, and every **proposal** (a version not yet
  published, or refused): members in good standing of the organisation. Proposals
  are open to all members — the archive's history is democratic — but not to
  the public, which sees only what a curator published.

Who may act: any member in good standing proposes documents and new versions
(a restoration of an old text is a new version too); only a member holding
``curate_archive`` through a current term publishes or refuses one, with a
reason, recorded in the audit log; the proposer may appeal a refusal to the
constitution's appeal body, which publishes the version if it upholds the
appeal. ``readable_documents`` is the one place that decides what a viewer may
read; every page, endpoint and search goes through it.

Audit entries name documents by reference only (``document:12``), never by
title, so a members-only document's words never reach the public log.
"""

import io
import re

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.archive.models import (
    Appeal,
    Decision,
    Document,
    DocumentVersion,
    Format,
    Kind,
    Link,
    Tag,
    Visibility,
)
from tribune.audit.log import record
from tribune.lib import ratelimit
from tribune.lib.errors import NotFound, NotPermitted, RuleViolation, TooManyAttempts
from tribune.lib.inputs import clean_text
from tribune.lib.search import SearchIndex
from tribune.offices.rules import mandate_for, seat_in

TITLE_MAX_CHARS = DocumentVersion._meta.get_field("title").max_length
NOTE_MAX_CHARS = DocumentVersion._meta.get_field("note").max_length
LESSONS_MAX_CHARS = Document._meta.get_field("lessons_of").max_length
# A document may be long (a book chapter); the extracted text of a PDF is cut here too.
TEXT_MAX_CHARS = 500_000
PDF_MAX_BYTES = 10 * 1024 * 1024
REASON_MAX_CHARS = 5_000
TAG_MAX_CHARS = Tag._meta.get_field("name").max_length
MAX_TAGS = 12
# Proposals per member: enough for a busy archivist, too few for a flood.
PROPOSAL_LIMIT = ratelimit.Limit("archive-propose", attempts=30, seconds=3600)

INDEX = SearchIndex(Document._meta.db_table)


# Characters pypdf may give that no text may hold (control characters, lone surrogates).
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


# --- who may read --------------------------------------------------------------------


def is_reader(member, organisation) -> bool:
    """Members in good standing read members-only documents and every proposal."""
    return (
        member is not None and member.organisation_id == organisation.pk and member.in_good_standing
    )


def readable_documents(viewer, organisation):
    """Documents ``viewer`` may read (anonymous viewers: None)."""
    # With its organisation: every listed document's link names the organisation's slug.
    documents = Document.objects.filter(organisation=organisation).select_related("organisation")
    if is_reader(viewer, organisation):
        return documents
    return documents.filter(visibility=Visibility.PUBLIC, published__isnull=False)


def readable_document(viewer, organisation, pk: int) -> Document:
    """Document ``pk`` for a page or endpoint; 404 for what the viewer may not read.

    A members-only document answers "not found" to outsiders rather than
    "forbidden", so its existence is not told either.
    """
    document = (
        readable_documents(viewer, organisation).select_related("published").filter(pk=pk).first()
    )
    if document is None:
        raise NotFound(_t("There is no such document."))
    return document


def readable_versions(viewer, document: Document):
    """The versions ``viewer`` may read: all for members, published ones for the public."""
    versions = document.versions.select_related("decision", "author")
    if is_reader(viewer, document.organisation):
        return versions
    return versions.filter(
        Q(decision__outcome=Decision.Outcome.PUBLISHED) | Q(decision__appeal__status="upheld")
    )


def readable_version(viewer, document: Document, number: int) -> DocumentVersion:
    version = readable_versions(viewer, document).filter(number=number).first()
    if version is None:
        raise NotFound(_t("There is no such version of this document."), "number")
    return version


def shown_version(viewer, document: Document) -> DocumentVersion | None:
    """What the document page shows: the published version, else (members) the latest."""
    if document.published_id:
        return document.published
    if is_reader(viewer, document.organisation):
        return document.versions.order_by("-number").first()
    return None


def version_status(version: DocumentVersion) -> str:
    """published / refused / appealed / pending, said for people."""
    decision = getattr(version, "decision", None)
    if decision is None:
        return _t("awaiting a curator")
    appeal = getattr(decision, "appeal", None)
    if decision.outcome == Decision.Outcome.PUBLISHED or (
        appeal and appeal.status == Appeal.Status.UPHELD
    ):
        return _t("published")
    if appeal and appeal.status == Appeal.Status.PENDING:
        return _t("refused; appealed")
    return _t("refused")


# --- writing -------------------------------------------------------------------------


def _require_member(member, organisation) -> None:
    if not is_reader(member, organisation):
        raise NotPermitted(_t("Members in good standing can propose documents for the archive."))


def _one_line(value: str, field: str, message: str, max_chars: int) -> str:
    value = (value or "").strip()
    if not value:
        raise RuleViolation(message, field)
    return clean_text(value, field=field, max_length=max_chars, one_line=True)


def _check_pace(member) -> None:
    wait = PROPOSAL_LIMIT.hit(member.pk)
    if wait:
        raise TooManyAttempts(
            _t("You have proposed many texts within the hour; please wait %(n)s seconds.")
            % {"n": wait},
            wait,
            "text",
        )


def pdf_text(data: bytes) -> str:
    """The words of a PDF, for search and comparison; refused if it is not a readable PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-"):
        raise RuleViolation(_t("This file is not a PDF."), "pdf")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise RuleViolation(_t("This PDF is locked with a password."), "pdf")
        parts = []
        for page in reader.pages[:2000]:
            parts.append(page.extract_text() or "")
            if sum(map(len, parts)) > TEXT_MAX_CHARS:
                break
    except RuleViolation:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise RuleViolation(_t("This PDF cannot be read: %(why)s") % {"why": exc}, "pdf") from exc
    text = _UNSTORABLE.sub(" ", "\n\n".join(parts))
    return text[:TEXT_MAX_CHARS].strip()


def _content(
    *, title: str, text: str, pdf: bytes | None, pdf_name: str
) -> tuple[str, str, str, bytes | None]:
    """(title, format, text, pdf) checked: Markdown text, or a PDF whose text is extracted."""
    title = _one_line(title, "title", _t("Give the document a title."), TITLE_MAX_CHARS)
    if pdf:
        if len(pdf) > PDF_MAX_BYTES:
            raise RuleViolation(
                _t("A PDF may be at most %(mb)s MB.") % {"mb": PDF_MAX_BYTES // (1024 * 1024)},
                "pdf",
            )
        return title, Format.PDF, pdf_text(pdf), pdf
    text = (text or "").strip()
    if not text:
        raise RuleViolation(_t("Write the text, or upload a PDF."), "text")
    return title, Format.MARKDOWN, clean_text(text, field="text", max_length=TEXT_MAX_CHARS), None


def _new_version(document, member, *, title, fmt, text, pdf, pdf_name, note, restored_from=None):
    number = (
        DocumentVersion.objects.filter(document=document)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        title=title,
        format=fmt,
        text=text,
        pdf=pdf,
        pdf_name=clean_text((pdf_name or "")[:200], field="pdf") if pdf else "",
        note=note,
        author=member,
        restored_from=restored_from,
    )


@transaction.atomic
def propose_document(
    member,
    organisation,
    *,
    title: str,
    text: str = "",
    pdf: bytes | None = None,
    pdf_name: str = "",
    kind: str = Kind.DOCUMENT,
    visibility: str = Visibility.PUBLIC,
    language: str = "",
    lessons_of: str = "",
) -> Document:
    """Any member in good standing proposes a document; a curator decides on publication."""
    _require_member(member, organisation)
    if kind not in Kind.values:
        raise RuleViolation(_t("Choose a kind of document."), "kind")
    if visibility not in Visibility.values:
        raise RuleViolation(_t("Choose who may read it."), "visibility")
    from django.conf import settings

    language = language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise RuleViolation(_t("Choose one of the languages offered."), "language")
    lessons_of = clean_text(
        (lessons_of or "").strip(), field="lessons_of", one_line=True, max_length=LESSONS_MAX_CHARS
    )
    if kind == Kind.LESSONS and not lessons_of:
        raise RuleViolation(
            _t("Name the struggle or campaign these lessons are drawn from."), "lessons_of"
        )
    title, fmt, text, pdf = _content(title=title, text=text, pdf=pdf, pdf_name=pdf_name)
    _check_pace(member)
    document = Document.objects.create(
        organisation=organisation,
        kind=kind,
        visibility=visibility,
        language=language,
        lessons_of=lessons_of,
        proposed_by=member,
    )
    _new_version(
        document, member, title=title, fmt=fmt, text=text, pdf=pdf, pdf_name=pdf_name, note=""
    )
    record(organisation, "archive.proposed", actor=member, target=document)
    return document


@transaction.atomic
def propose_version(
    member,
    document: Document,
    *,
    title: str,
    text: str = "",
    pdf: bytes | None = None,
    pdf_name: str = "",
    note: str = "",
) -> DocumentVersion:
    """A member proposes an edit: a new version, published only by a curator."""
    _require_member(member, document.organisation)
    note = clean_text((note or "").strip(), field="note", max_length=NOTE_MAX_CHARS, one_line=True)
    title, fmt, text, pdf = _content(title=title, text=text, pdf=pdf, pdf_name=pdf_name)
    _check_pace(member)
    version = _new_version(
        document, member, title=title, fmt=fmt, text=text, pdf=pdf, pdf_name=pdf_name, note=note
    )
    record(
        document.organisation,
        "archive.version_proposed",
        actor=member,
        target=document,
        data={"version": version.number},
    )
    return version


@transaction.atomic
def restore_version(member, version: DocumentVersion, note: str = "") -> DocumentVersion:
    """An old text proposed again, as a new version (history is never rewritten)."""
    document = version.document
    _require_member(member, document.organisation)
    note = clean_text((note or "").strip(), field="note", max_length=NOTE_MAX_CHARS, one_line=True)
    _check_pace(member)
    restored = _new_version(
        document,
        member,
        title=version.title,
        fmt=version.format,
        text=version.text,
        pdf=bytes(version.pdf) if version.pdf is not None else None,
        pdf_name=version.pdf_name,
        note=note or _t("Restores version %(n)s.") % {"n": version.number},
        restored_from=version.number,
    )
    record(
        document.organisation,
        "archive.version_proposed",
        actor=member,
        target=document,
        data={"version": restored.number, "restores": version.number},
    )
    return restored


def curator_term(member, organisation):
    """The term under which ``member`` curates the archive (raises NotPermitted)."""
    if member is None or member.organisation_id != organisation.pk:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    return mandate_for(member, "curate_archive")


def can_curate(member, organisation) -> bool:
    try:
        curator_term(member, organisation)
    except NotPermitted:
        return False
    return True


def _publish(document: Document, version: DocumentVersion) -> None:
    """Make ``version`` the one shown, unless a later version is already published."""
    current = document.published
    if current is not None and current.number > version.number:
        return
    document.published = version
    document.published_at = timezone.now()
    document.save(update_fields=["published", "published_at"])
    INDEX.put(document.pk, title=version.title, body=version.text, language=document.language)


@transaction.atomic
def decide(actor, version: DocumentVersion, *, publish: bool, reason: str) -> Decision:
    """A curator publishes or refuses a proposed version, giving a reason either way."""
    document = Document.objects.select_for_update().get(pk=version.document_id)
    term = curator_term(actor, document.organisation)  # who may decide first, then the merits
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_t("A written reason is required."), "reason")
    reason = clean_text(reason, field="reason", max_length=REASON_MAX_CHARS)
    if Decision.objects.filter(version=version).exists():
        raise RuleViolation(_t("This version has already been decided."))
    decision = Decision.objects.create(
        version=version,
        outcome=Decision.Outcome.PUBLISHED if publish else Decision.Outcome.REFUSED,
        reason=reason,
        actor=actor,
        term=term,
    )
    if publish:
        _publish(document, version)
    record(
        document.organisation,
        "archive.published" if publish else "archive.refused",
        actor=actor,
        term=term,
        target=document,
        data={"version": version.number},
    )
    return decision


@transaction.atomic
def appeal_refusal(member, decision: Decision, statement: str) -> Appeal:
    """The proposer of a refused version appeals to the constitution's appeal body."""
    statement = (statement or "").strip()
    if not statement:
        raise RuleViolation(_t("Please give the grounds of your appeal."), "statement")
    statement = clean_text(statement, field="statement", max_length=REASON_MAX_CHARS)
    if decision.version.author_id != getattr(member, "pk", None):
        raise NotPermitted(_t("Only the version's author can appeal its refusal."))
    if decision.outcome != Decision.Outcome.REFUSED:
        raise RuleViolation(_t("Only a refusal can be appealed."))
    if Appeal.objects.filter(decision=decision).exists():
        raise RuleViolation(_t("You have already appealed this decision."))
    organisation = decision.version.document.organisation
    if organisation.current_constitution().appeal_body is None:
        raise RuleViolation(_t("The constitution names no body to hear appeals."))
    appeal = Appeal.objects.create(decision=decision, statement=statement)
    record(organisation, "archive.appealed", actor=member, target=decision.version.document)
    return appeal


def appeal_body_term(member, organisation):
    """The term by which ``member`` sits on the appeal body (raises NotPermitted)."""
    body = organisation.current_constitution().appeal_body
    if body is None:
        raise NotPermitted(_t("The constitution names no body to hear appeals."))
    return seat_in(member, body)


def can_decide_appeals(member, organisation) -> bool:
    try:
        appeal_body_term(member, organisation)
    except NotPermitted:
        return False
    return True


@transaction.atomic
def decide_appeal(actor, appeal: Appeal, *, upheld: bool, reason: str) -> Appeal:
    """A sitting member of the appeal body decides; upheld publishes the version."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    version = appeal.decision.version
    document = version.document
    body = document.organisation.current_constitution().appeal_body
    if body is None:
        raise RuleViolation(_t("The constitution names no body to hear appeals."))
    term = seat_in(actor, body)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_t("A written reason is required."), "reason")
    reason = clean_text(reason, field="reason", max_length=REASON_MAX_CHARS)
    if appeal.status != Appeal.Status.PENDING:
        raise RuleViolation(_t("This appeal has already been decided."))
    if actor.pk in (appeal.decision.actor_id, version.author_id):
        raise NotPermitted(_t("No one may decide an appeal about their own case or decision."))
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.DISMISSED
    appeal.decision_reason, appeal.decided_by = reason, actor
    appeal.decided_at = timezone.now()
    appeal.save()
    if upheld:
        _publish(Document.objects.select_for_update().get(pk=document.pk), version)
    record(
        document.organisation,
        "archive.appeal_decided",
        actor=actor,
        term=term,
        target=document,
        data={"upheld": upheld, "version": version.number},
    )
    return appeal


def pending_appeals(organisation):
    return Appeal.objects.filter(
        decision__version__document__organisation=organisation, status=Appeal.Status.PENDING
    ).select_related("decision__version__document", "decision__actor")


# --- tags and links ------------------------------------------------------------------


def may_describe(member, document: Document) -> None:
    """The proposer of a document and its curators file it under tags and link it."""
    _require_member(member, document.organisation)
    if member.pk != document.proposed_by_id and not can_curate(member, document.organisation):
        raise NotPermitted(
            _t("Only the document's proposer and the archive's curators can describe it.")
        )


@transaction.atomic
def set_tags(member, document: Document, names: list[str]) -> list[Tag]:
    """The document's tags, in its language (a tag is a word of one language)."""
    may_describe(member, document)
    cleaned = []
    for name in names:
        name = " ".join((name or "").split()).lower()
        if name:
            cleaned.append(clean_text(name, field="tags", max_length=TAG_MAX_CHARS, one_line=True))
    cleaned = sorted(set(cleaned))
    if len(cleaned) > MAX_TAGS:
        raise RuleViolation(_t("At most %(n)s tags, please.") % {"n": MAX_TAGS}, "tags")
    tags = [
        Tag.objects.get_or_create(
            organisation=document.organisation, language=document.language, name=name
        )[0]
        for name in cleaned
    ]
    document.tags.set(tags)
    record(document.organisation, "archive.tagged", actor=member, target=document)
    return tags


def _target(organisation, target: str, ref: str):
    """The object a link names, in this organisation, or RuleViolation."""
    from tribune.assemblies.models import Motion, ProgrammeSection
    from tribune.debate.models import Thread
    from tribune.elections.models import Election

    missing = RuleViolation(_t("There is no such item in this organisation."), "ref")
    if target == Link.Target.SECTION:
        section = (
            ProgrammeSection.objects.filter(version__programme__organisation=organisation, key=ref)
            .order_by("-version__number")
            .first()
        )
        if section is None:
            raise missing
        return section
    if not ref.isascii() or not ref.isdigit() or len(ref) > 18:
        raise missing
    models = {
        Link.Target.MOTION: (Motion, "assembly__organisation"),
        Link.Target.THREAD: (Thread, "organisation"),
        Link.Target.ELECTION: (Election, "organisation"),
    }
    if target not in models:
        raise RuleViolation(_t("Choose what the document refers to."), "target")
    model, path = models[target]
    found = model.objects.filter(pk=int(ref), **{path: organisation}).first()
    if found is None:
        raise missing
    return found


@transaction.atomic
def add_link(member, document: Document, *, target: str, ref: str) -> Link:
    """The document refers to a motion, a programme section, a thread or an election."""
    may_describe(member, document)
    if target not in Link.Target.values:
        raise RuleViolation(_t("Choose what the document refers to."), "target")
    ref = (ref or "").strip()
    found = _target(document.organisation, target, ref)
    if target == Link.Target.THREAD and found.faction_id is not None:
        raise RuleViolation(_t("A faction's internal discussion cannot be linked."), "ref")
    link, _created = Link.objects.get_or_create(
        document=document, target=target, ref=ref, defaults={"added_by": member}
    )
    record(
        document.organisation,
        "archive.linked",
        actor=member,
        target=document,
        data={"to": target, "ref": ref},
    )
    return link


def resolved_links(viewer, document: Document) -> list[dict]:
    """The document's links that ``viewer`` may follow: kind, label and page address."""
    from tribune.debate import services as debate

    out = []
    for link in document.links.all():
        try:
            found = _target(document.organisation, link.target, link.ref)
        except RuleViolation:
            continue
        if link.target == Link.Target.THREAD and not debate.can_read(viewer, found):
            continue  # debate threads are for members: their titles too
        out.append(
            {
                "target": link.target,
                "kind": link.get_target_display(),
                "ref": link.ref,
                "label": str(found),
                "url": _url_of(document.organisation, link.target, found),
            }
        )
    return out


def _url_of(organisation, target: str, found) -> str:
    from django.urls import reverse

    slug = organisation.slug
    if target == Link.Target.THREAD:
        return reverse("web:thread", args=[slug, found.pk])
    if target == Link.Target.ELECTION:
        return reverse("web:election", args=[slug, found.pk])
    if target == Link.Target.MOTION:
        return reverse("web:assembly", args=[slug, found.assembly_id]) + f"#motion-{found.pk}"
    return reverse("web:programme", args=[slug]) + f"#section-{found.key}"


def referenced_by(viewer, organisation, target: str, ref) -> list[Document]:
    """Documents ``viewer`` may read that link to this motion, section, thread or election."""
    return list(
        readable_documents(viewer, organisation)
        .filter(links__target=target, links__ref=str(ref))
        .select_related("published")
        .order_by("-published_at", "-pk")
        .distinct()
    )


def title_of(viewer, document: Document) -> str:
    version = shown_version(viewer, document)
    return version.title if version else _t("Untitled")


# --- search --------------------------------------------------------------------------


def search(viewer, organisation, query: str, *, tag: str = "", limit: int = 50):
    """Published documents ``viewer`` may read whose title or text hold every word of ``query``.

    Stemmed by the document's language (``strikes`` finds ``strike``), PDF text
    included; the index holds only published versions, so a proposal is never
    found by the public, nor a members-only document by anyone who may not read it.
    """
    documents = readable_documents(viewer, organisation).filter(published__isnull=False)
    if tag:
        documents = documents.filter(tags__name=tag.lower())
    # The order is decided over ids alone, then the page's documents are fetched with their
    # text: sorting every match with its whole text in the row is what made search slow.
    ids = INDEX.ids(documents, query, newest="published_at", limit=limit)
    found = Document.objects.select_related("published").in_bulk(ids)
    return [found[pk] for pk in ids]
