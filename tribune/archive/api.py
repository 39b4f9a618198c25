"""API: the archive — documents, versions, comparisons, curating, appeals, tags, links, search.

The same rules as the pages (``tribune.archive.services``): anyone reads
published public documents without a token; members in good standing read
members-only documents and every proposal; a document the caller may not read
is "not found" (404), so its existence is not told. Members' names (authors,
curators) are given to members only, as on the pages. A PDF is sent as
base64 in ``pdf_base64``; its extracted text comes back in ``text``.
"""

import base64
import binascii
from datetime import datetime

from django.utils.translation import gettext as _t
from ninja import Router, Schema, Status

from tribune.api.common import acting, organisation_and_member
from tribune.api.types import Id, PathText
from tribune.archive import services
from tribune.archive.models import Appeal, Decision, Document, DocumentVersion, Kind, Visibility
from tribune.lib.errors import NotFound, RuleViolation
from tribune.lib.search import excerpt
from tribune.lib.worddiff import render_changes

router = Router(tags=["archive"])


class ArchiveDecisionOut(Schema):
    id: int
    outcome: str
    reason: str
    at: datetime
    curator: str | None  # for members only
    appeal_status: str | None
    appeal_reason: str | None


class ArchiveVersionOut(Schema):
    number: int
    title: str
    format: str
    text: str
    note: str
    status: str
    restored_from: int | None
    created_at: datetime
    author: str | None  # for members only
    decision: ArchiveDecisionOut | None


class ArchiveLinkOut(Schema):
    target: str
    ref: str
    label: str
    url: str


class ArchiveDocumentOut(Schema):
    id: int
    kind: str
    visibility: str
    language: str
    lessons_of: str
    title: str
    published_version: int | None
    published_at: datetime | None
    tags: list[str]


class ArchiveDocumentDetailOut(ArchiveDocumentOut):
    version: ArchiveVersionOut | None  # the published version, or for members the latest proposal
    versions: list[int]
    links: list[ArchiveLinkOut]


class ArchiveHitOut(Schema):
    id: int
    title: str
    kind: str
    excerpt: str  # HTML: the matching words in <mark>
    published_at: datetime | None


class ArchiveDiffOut(Schema):
    old: int
    new: int
    old_title: str
    new_title: str
    html: str  # the newer text rendered, with <del> and <ins> marking the changes


class ArchiveDocumentIn(Schema):
    title: str
    text: str = ""
    pdf_base64: str | None = None
    pdf_name: str = ""
    kind: str = Kind.DOCUMENT
    visibility: str = Visibility.PUBLIC
    language: str = ""
    lessons_of: str = ""


class ArchiveVersionIn(Schema):
    title: str
    text: str = ""
    pdf_base64: str | None = None
    pdf_name: str = ""
    note: str = ""


class ArchiveRestoreIn(Schema):
    note: str = ""


class ArchiveDecisionIn(Schema):
    publish: bool
    reason: str


class ArchiveAppealIn(Schema):
    statement: str


class ArchiveAppealDecisionIn(Schema):
    upheld: bool
    reason: str


class ArchiveAppealOut(Schema):
    id: int
    decision_id: int
    status: str
    statement: str
    decision_reason: str


class ArchiveTagsIn(Schema):
    tags: list[str]


class ArchiveLinkIn(Schema):
    target: str
    ref: str


def _pdf(value: str | None) -> bytes | None:
    if not value:
        return None
    if len(value) > services.PDF_MAX_BYTES * 4 // 3 + 4:
        raise RuleViolation(_t("A PDF may be at most 10 MB."), "pdf_base64")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RuleViolation(_t("Send the PDF's bytes in base64."), "pdf_base64") from exc


def _decision_out(decision: Decision | None, member: bool) -> dict | None:
    if decision is None:
        return None
    appeal = getattr(decision, "appeal", None)
    return {
        "id": decision.id,
        "outcome": decision.outcome,
        "reason": decision.reason,
        "at": decision.at,
        "curator": decision.actor.name if member else None,
        "appeal_status": appeal.status if appeal else None,
        "appeal_reason": appeal.decision_reason if appeal else None,
    }


def _version_out(version: DocumentVersion | None, member: bool) -> dict | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "title": version.title,
        "format": version.format,
        "text": version.text,
        "note": version.note,
        "status": services.version_status(version),
        "restored_from": version.restored_from,
        "created_at": version.created_at,
        "author": version.author.name if member else None,
        "decision": _decision_out(getattr(version, "decision", None), member),
    }


def _document_out(document: Document, viewer) -> dict:
    return {
        "id": document.id,
        "kind": document.kind,
        "visibility": document.visibility,
        "language": document.language,
        "lessons_of": document.lessons_of,
        "title": services.title_of(viewer, document),
        "published_version": document.published.number if document.published_id else None,
        "published_at": document.published_at,
        "tags": [t.name for t in document.tags.all()],
    }


def _detail_out(document: Document, viewer) -> dict:
    member = services.is_reader(viewer, document.organisation)
    return {
        **_document_out(document, viewer),
        "version": _version_out(services.shown_version(viewer, document), member),
        "versions": list(
            services.readable_versions(viewer, document).values_list("number", flat=True)
        ),
        "links": [
            {k: link[k] for k in ("target", "ref", "label", "url")}
            for link in services.resolved_links(viewer, document)
        ],
    }


def _document(request, slug: str, document_id: int):
    organisation, viewer = organisation_and_member(request, slug)
    return services.readable_document(viewer, organisation, document_id), viewer


def _acting_on(request, slug: str, document_id: int):
    organisation, viewer = acting(request, slug)
    return services.readable_document(viewer, organisation, document_id), viewer


@router.get("/{slug}/archive/documents", response=list[ArchiveDocumentOut])
def archive_documents(request, slug: PathText, tag: str = ""):
    """Published documents the caller may read (public ones without a token), newest first."""
    organisation, viewer = organisation_and_member(request, slug)
    found = (
        services.readable_documents(viewer, organisation)
        .filter(published__isnull=False)
        .select_related("published")
        .prefetch_related("tags")
    )
    if tag:
        found = found.filter(tags__name=tag.lower()[:60])
    return [_document_out(d, viewer) for d in found[:200]]


@router.get("/{slug}/archive/search", response=list[ArchiveHitOut])
def archive_search(request, slug: PathText, q: str, tag: str = ""):
    """Published documents holding every word of ``q`` (stemmed: strikes finds strike), PDFs too."""
    organisation, viewer = organisation_and_member(request, slug)
    return [
        {
            "id": d.id,
            "title": d.published.title,
            "kind": d.kind,
            "excerpt": excerpt(d.published.text, q),
            "published_at": d.published_at,
        }
        for d in services.search(viewer, organisation, q[:200], tag=tag[:60])
    ]


@router.post("/{slug}/archive/documents", response={201: ArchiveDocumentDetailOut})
def archive_propose(request, slug: PathText, payload: ArchiveDocumentIn):
    """Propose a document (a member in good standing); a curator publishes it or says why not."""
    organisation, viewer = acting(request, slug)
    document = services.propose_document(
        viewer,
        organisation,
        title=payload.title,
        text=payload.text,
        pdf=_pdf(payload.pdf_base64),
        pdf_name=payload.pdf_name,
        kind=payload.kind,
        visibility=payload.visibility,
        language=payload.language,
        lessons_of=payload.lessons_of,
    )
    return Status(201, _detail_out(document, viewer))


@router.get("/{slug}/archive/documents/{document_id}", response=ArchiveDocumentDetailOut)
def archive_document(request, slug: PathText, document_id: Id):
    found, viewer = _document(request, slug, document_id)
    return _detail_out(found, viewer)


@router.get("/{slug}/archive/documents/{document_id}/versions/{number}", response=ArchiveVersionOut)
def archive_version(request, slug: PathText, document_id: Id, number: Id):
    found, viewer = _document(request, slug, document_id)
    shown = services.readable_version(viewer, found, number)
    return _version_out(shown, services.is_reader(viewer, found.organisation))


@router.get("/{slug}/archive/documents/{document_id}/diff", response=ArchiveDiffOut)
def archive_compare(request, slug: PathText, document_id: Id, old: Id, new: Id):
    """Any two versions compared word by word, in either order."""
    found, viewer = _document(request, slug, document_id)
    a = services.readable_version(viewer, found, old)
    b = services.readable_version(viewer, found, new)
    return {
        "old": a.number,
        "new": b.number,
        "old_title": a.title,
        "new_title": b.title,
        "html": render_changes(a.text, b.text),
    }


@router.post("/{slug}/archive/documents/{document_id}/versions", response={201: ArchiveVersionOut})
def archive_propose_version(request, slug: PathText, document_id: Id, payload: ArchiveVersionIn):
    found, viewer = _acting_on(request, slug, document_id)
    proposed = services.propose_version(
        viewer,
        found,
        title=payload.title,
        text=payload.text,
        pdf=_pdf(payload.pdf_base64),
        pdf_name=payload.pdf_name,
        note=payload.note,
    )
    return Status(201, _version_out(proposed, True))


@router.post(
    "/{slug}/archive/documents/{document_id}/versions/{number}/restore",
    response={201: ArchiveVersionOut},
)
def archive_restore(
    request, slug: PathText, document_id: Id, number: Id, payload: ArchiveRestoreIn
):
    """Propose an old version's text again, as a new version."""
    found, viewer = _acting_on(request, slug, document_id)
    old = services.readable_version(viewer, found, number)
    return Status(201, _version_out(services.restore_version(viewer, old, payload.note), True))


@router.post(
    "/{slug}/archive/documents/{document_id}/versions/{number}/decision",
    response={201: ArchiveDecisionOut},
)
def archive_decide(
    request, slug: PathText, document_id: Id, number: Id, payload: ArchiveDecisionIn
):
    """Publish or refuse a proposed version (``curate_archive``), with a public reason."""
    found, viewer = _acting_on(request, slug, document_id)
    target = services.readable_version(viewer, found, number)
    decision = services.decide(viewer, target, publish=payload.publish, reason=payload.reason)
    return Status(201, _decision_out(decision, True))


def _appeal_out(appeal: Appeal) -> dict:
    return {
        "id": appeal.id,
        "decision_id": appeal.decision_id,
        "status": appeal.status,
        "statement": appeal.statement,
        "decision_reason": appeal.decision_reason,
    }


@router.post("/{slug}/archive/decisions/{decision_id}/appeal", response={201: ArchiveAppealOut})
def archive_appeal(request, slug: PathText, decision_id: Id, payload: ArchiveAppealIn):
    """The author of a refused version appeals to the constitution's appeal body."""
    organisation, viewer = acting(request, slug)
    decision = Decision.objects.filter(
        version__document__organisation=organisation, pk=decision_id
    ).first()
    if decision is None or not services.is_reader(viewer, organisation):
        raise NotFound(_t("There is no such decision."))
    return Status(201, _appeal_out(services.appeal_refusal(viewer, decision, payload.statement)))


@router.post("/{slug}/archive/appeals/{appeal_id}/decide", response=ArchiveAppealOut)
def archive_decide_appeal(request, slug: PathText, appeal_id: Id, payload: ArchiveAppealDecisionIn):
    """A sitting member of the appeal body decides; upheld publishes the version."""
    organisation, viewer = acting(request, slug)
    found = Appeal.objects.filter(
        decision__version__document__organisation=organisation, pk=appeal_id
    ).first()
    if found is None:
        raise NotFound(_t("There is no such appeal."))
    return _appeal_out(
        services.decide_appeal(viewer, found, upheld=payload.upheld, reason=payload.reason)
    )


@router.put("/{slug}/archive/documents/{document_id}/tags", response=list[str])
def archive_set_tags(request, slug: PathText, document_id: Id, payload: ArchiveTagsIn):
    """The document's tags (its proposer or a curator), in the document's language."""
    found, viewer = _acting_on(request, slug, document_id)
    return [t.name for t in services.set_tags(viewer, found, payload.tags)]


@router.post("/{slug}/archive/documents/{document_id}/links", response={201: ArchiveLinkOut})
def archive_add_link(request, slug: PathText, document_id: Id, payload: ArchiveLinkIn):
    """Link to a motion, programme section (its key), debate thread or election (its id)."""
    found, viewer = _acting_on(request, slug, document_id)
    link = services.add_link(viewer, found, target=payload.target, ref=payload.ref)
    shown = [
        x
        for x in services.resolved_links(viewer, found)
        if (x["target"], x["ref"]) == (link.target, link.ref)
    ]
    return Status(201, {k: shown[0][k] for k in ("target", "ref", "label", "url")})


@router.get("/{slug}/archive/referenced-by", response=list[ArchiveDocumentOut])
def archive_referenced_by(request, slug: PathText, target: str, ref: str):
    """Documents the caller may read that link to a motion, section, thread or election."""
    organisation, viewer = organisation_and_member(request, slug)
    return [
        _document_out(d, viewer)
        for d in services.referenced_by(viewer, organisation, target[:20], ref[:60])
    ]
