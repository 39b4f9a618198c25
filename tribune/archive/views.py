"""Archive pages: the list and search, a document with its history, proposing, curating.

Views parse the request and call ``tribune.archive.services``; who may read,
propose or publish is decided there. A refusal the member can correct goes on
the form (400); a missing right goes on to the 403 page with its reason, and
a document the viewer may not read is "not found".
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.archive import services
from tribune.archive.forms import (
    AppealDecisionForm,
    AppealForm,
    DecisionForm,
    EditForm,
    LinkForm,
    ProposeForm,
    TagsForm,
)
from tribune.archive.models import Appeal, Decision, Kind
from tribune.lib import markdown
from tribune.lib.errors import NotFound, NotPermitted
from tribune.lib.search import excerpt
from tribune.lib.worddiff import render_changes
from tribune.web.helpers import (
    attempt,
    attempt_writing,
    organisation_and_viewer,
    refused_status,
    require_good_standing,
)


def _document(request, slug: str, document_id: int):
    organisation, viewer = organisation_and_viewer(request, slug)
    return organisation, viewer, services.readable_document(viewer, organisation, document_id)


def index(request: HttpRequest, slug: str) -> HttpResponse:
    """Published documents the viewer may read, or those matching a search, with excerpts."""
    organisation, viewer = organisation_and_viewer(request, slug)
    query = request.GET.get("q", "").strip()[:200]
    tag = request.GET.get("tag", "").strip()[:60]
    if query:
        documents = services.search(viewer, organisation, query, tag=tag)
        for document in documents:
            document.excerpt = excerpt(document.published.text, query)
    else:
        documents = (
            services.readable_documents(viewer, organisation)
            .filter(published__isnull=False)
            .select_related("published")
        )
        if tag:
            documents = documents.filter(tags__name=tag.lower())
        documents = list(documents[:100])
    member = services.is_reader(viewer, organisation)
    awaiting = []
    if member:
        awaiting = [
            (d, services.title_of(viewer, d))
            for d in services.readable_documents(viewer, organisation)
            .filter(versions__decision__isnull=True)
            .distinct()
            .order_by("-pk")[:50]
        ]
    return render(
        request,
        "archive/index.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "query": query,
            "tag": tag,
            "documents": documents,
            "member": member,
            "awaiting": awaiting,
            "appeals": (
                services.pending_appeals(organisation)
                if services.can_decide_appeals(viewer, organisation)
                else []
            ),
        },
    )


@login_required
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    require_good_standing(viewer)
    initial = {"kind": request.GET.get("kind", Kind.DOCUMENT)}
    form = ProposeForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pdf, pdf_name = form.pdf_bytes()
        document = attempt_writing(
            form,
            services.propose_document,
            viewer,
            organisation,
            title=data["title"],
            text=data["text"],
            pdf=pdf,
            pdf_name=pdf_name,
            kind=data["kind"],
            visibility=data["visibility"],
            language=data["language"],
            lessons_of=data["lessons_of"],
        )
        if document is not None:
            messages.success(
                request, _t("Your document is proposed: a curator will publish it or say why not.")
            )
            return redirect(document)
    return render(
        request,
        "archive/propose.html",
        {"organisation": organisation, "viewer": viewer, "form": form},
        status=refused_status(form) if form.errors else 200,
    )


def _page(request, organisation, viewer, document, version=None, bound=None, status=200):
    """The document page: a version (the shown one by default) and its whole history."""
    version = version or services.shown_version(viewer, document)
    versions = list(services.readable_versions(viewer, document).order_by("-number"))
    for v in versions:
        v.status = services.version_status(v)
    is_curator = services.can_curate(viewer, organisation)
    may_describe = services.is_reader(viewer, organisation) and (
        is_curator or viewer.pk == document.proposed_by_id
    )
    forms = {
        "decide": DecisionForm(auto_id="decide_%s") if is_curator else None,
        "appeal": AppealForm(auto_id="appeal_%s"),
        "tags": TagsForm(
            initial={"tags": ", ".join(t.name for t in document.tags.all())}, auto_id="tags_%s"
        )
        if may_describe
        else None,
        "link": LinkForm(auto_id="link_%s") if may_describe else None,
    }
    if bound is not None:
        forms[bound[0]] = bound[1]
    return render(
        request,
        "archive/document.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "document": document,
            "version": version,
            "html": markdown.render(version.text) if version else "",
            "versions": versions,
            "member": services.is_reader(viewer, organisation),
            "is_curator": is_curator,
            "links": services.resolved_links(viewer, document),
            "tags": document.tags.all(),
            "forms": forms,
            "bound_version": bound[2] if bound and len(bound) > 2 else None,
        },
        status=status,
    )


def document(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    organisation, viewer, doc = _document(request, slug, document_id)
    return _page(request, organisation, viewer, doc)


def version(request: HttpRequest, slug: str, document_id: int, number: int) -> HttpResponse:
    organisation, viewer, doc = _document(request, slug, document_id)
    shown = services.readable_version(viewer, doc, number)
    return _page(request, organisation, viewer, doc, version=shown)


def pdf(request: HttpRequest, slug: str, document_id: int, number: int) -> HttpResponse:
    """The uploaded PDF of a version, as a download (never rendered inline)."""
    _organisation, viewer, doc = _document(request, slug, document_id)
    shown = services.readable_version(viewer, doc, number)
    if shown.pdf is None:
        raise NotFound(_t("This version has no PDF."))
    response = HttpResponse(bytes(shown.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="document-{doc.pk}-v{number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def compare(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    """Any two versions compared word by word (``?old=1&new=3``), in either order."""
    organisation, viewer, doc = _document(request, slug, document_id)
    versions = services.readable_versions(viewer, doc)
    numbers = list(versions.order_by("number").values_list("number", flat=True))
    try:
        old = int(request.GET.get("old", numbers[0] if numbers else 0))
        new = int(request.GET.get("new", numbers[-1] if numbers else 0))
    except ValueError as exc:
        raise NotFound(_t("There is no such version of this document."), "old") from exc
    old_version = services.readable_version(viewer, doc, old)
    new_version = services.readable_version(viewer, doc, new)
    return render(
        request,
        "archive/compare.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "document": doc,
            "old": old_version,
            "new": new_version,
            "numbers": numbers,
            "html": render_changes(old_version.text, new_version.text),
            "title_changed": old_version.title != new_version.title,
        },
    )


@login_required
def edit(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    """Propose a new version: the text of the shown one, to change."""
    organisation, viewer, doc = _document(request, slug, document_id)
    require_good_standing(viewer)
    current = services.shown_version(viewer, doc)
    initial = {"title": current.title, "text": current.text} if current else {}
    form = EditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pdf_data, pdf_name = form.pdf_bytes()
        proposed = attempt_writing(
            form,
            services.propose_version,
            viewer,
            doc,
            title=data["title"],
            text=data["text"],
            pdf=pdf_data,
            pdf_name=pdf_name,
            note=data["note"],
        )
        if proposed is not None:
            messages.success(request, _t("Your version is proposed."))
            return redirect(proposed.get_absolute_url())
    return render(
        request,
        "archive/edit.html",
        {"organisation": organisation, "viewer": viewer, "document": doc, "form": form},
        status=refused_status(form) if form.errors else 200,
    )


@login_required
@require_POST
def restore(request: HttpRequest, slug: str, document_id: int, number: int) -> HttpResponse:
    _organisation, viewer, doc = _document(request, slug, document_id)
    old = services.readable_version(viewer, doc, number)
    restored = services.restore_version(viewer, old)
    messages.success(
        request,
        _t("Version %(old)s is proposed again as version %(new)s.")
        % {"old": old.number, "new": restored.number},
    )
    return redirect(restored.get_absolute_url())


@login_required
@require_POST
def decide(request: HttpRequest, slug: str, document_id: int, number: int) -> HttpResponse:
    organisation, viewer, doc = _document(request, slug, document_id)
    target = services.readable_version(viewer, doc, number)
    services.curator_term(viewer, organisation)  # no mandate: the 403 page, with the reason
    form = DecisionForm(request.POST, auto_id="decide_%s")
    if form.is_valid():
        publish = form.cleaned_data["outcome"] == "publish"
        done = attempt(
            form,
            services.decide,
            viewer,
            target,
            publish=publish,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(
                request, _t("Published.") if publish else _t("Refused, with your reason.")
            )
            return redirect(target.get_absolute_url())
    doc.refresh_from_db()
    return _page(
        request,
        organisation,
        viewer,
        doc,
        version=target,
        bound=("decide", form, target),
        status=400,
    )


@login_required
@require_POST
def appeal(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    decision = (
        Decision.objects.filter(version__document__organisation=organisation, pk=decision_id)
        .select_related("version__document")
        .first()
    )
    if decision is None or not services.is_reader(viewer, organisation):
        raise NotFound(_t("There is no such decision."))  # refusals are for members' eyes
    if decision.version.author_id != viewer.pk:
        raise NotPermitted(_t("Only the version's author can appeal its refusal."))
    doc, target = decision.version.document, decision.version
    form = AppealForm(request.POST, auto_id="appeal_%s")
    if form.is_valid():
        done = attempt(
            form, services.appeal_refusal, viewer, decision, form.cleaned_data["statement"]
        )
        if done is not None:
            messages.success(request, _t("Your appeal is lodged with the appeal body."))
            return redirect(target.get_absolute_url())
    return _page(
        request,
        organisation,
        viewer,
        doc,
        version=target,
        bound=("appeal", form, target),
        status=400,
    )


@login_required
@require_POST
def decide_appeal(request: HttpRequest, slug: str, appeal_id: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    require_good_standing(viewer)
    found = Appeal.objects.filter(
        decision__version__document__organisation=organisation, pk=appeal_id
    ).first()
    if found is None:
        raise NotFound(_t("There is no such appeal."))
    services.appeal_body_term(viewer, organisation)  # who may decide first, then the form
    form = AppealDecisionForm(request.POST)
    if form.is_valid():
        done = attempt(
            form,
            services.decide_appeal,
            viewer,
            found,
            upheld=form.cleaned_data["upheld"],
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, _t("The appeal is decided."))
            return redirect("web:archive", slug)
    return render(
        request,
        "archive/appeal_decide.html",
        {"organisation": organisation, "viewer": viewer, "appeal": found, "form": form},
        status=400,
    )


@login_required
@require_POST
def tags(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    organisation, viewer, doc = _document(request, slug, document_id)
    services.may_describe(viewer, doc)
    form = TagsForm(request.POST, auto_id="tags_%s")
    if form.is_valid():
        names = form.cleaned_data["tags"].split(",")
        if attempt(form, services.set_tags, viewer, doc, names) is not None:
            messages.success(request, _t("Tags saved."))
            return redirect(doc)
    return _page(request, organisation, viewer, doc, bound=("tags", form), status=400)


@login_required
@require_POST
def link(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    organisation, viewer, doc = _document(request, slug, document_id)
    services.may_describe(viewer, doc)  # who may link first, then the form
    form = LinkForm(request.POST, auto_id="link_%s")
    if form.is_valid():
        data = form.cleaned_data
        if attempt(form, services.add_link, viewer, doc, target=data["target"], ref=data["ref"]):
            messages.success(request, _t("Link added."))
            return redirect(doc)
    return _page(request, organisation, viewer, doc, bound=("link", form), status=400)
