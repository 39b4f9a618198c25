"""What an assembly leaves on record: its minutes, and the programme its motions amend."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from tribune.assemblies import rules
from tribune.assemblies.minutes import write as write_minutes
from tribune.assemblies.models import Programme, ProgrammeVersion
from tribune.assemblies.views.common import _assembly
from tribune.lib import worddiff
from tribune.web.helpers import organisation_and_viewer

# --- minutes --------------------------------------------------------------------------------


def minutes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The minutes as a page to read or print (the print stylesheet drops the site's frame)."""
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    return render(
        request,
        "assemblies/minutes.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "assembly": assembly,
            "minutes": write_minutes(assembly, names=rules.shows_names(viewer, assembly)),
        },
    )


def minutes_markdown(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    minutes = write_minutes(assembly, names=rules.shows_names(viewer, assembly))
    response = HttpResponse(minutes, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="minutes-{assembly.pk}.md"'
    return response


# --- the programme --------------------------------------------------------------------------


def _as_text(version: ProgrammeVersion) -> str:
    return "".join(f"## {s.title}\n\n{s.text}\n" for s in version.sections.all())


def _versions(organisation) -> tuple[Programme | None, list[ProgrammeVersion]]:
    programme = Programme.objects.filter(organisation=organisation).first()
    if programme is None:
        return None, []
    return programme, list(
        programme.versions.select_related("motion__assembly", "vote").prefetch_related("sections")
    )


def programme(request: HttpRequest, slug: str, number: int | None = None) -> HttpResponse:
    """The programme as adopted now (or any past version), with where each version came from."""
    organisation, viewer = organisation_and_viewer(request, slug)
    _programme, versions = _versions(organisation)
    if number is None:
        shown = versions[0] if versions else None
    else:
        shown = next((v for v in versions if v.number == number), None)
        if shown is None:
            raise Http404
    previous = next((v for v in versions if shown and v.number == shown.number - 1), None)
    return render(
        request,
        "assemblies/programme.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "versions": versions,
            "shown": shown,
            "latest": versions[0] if versions else None,
            "previous": previous,
        },
    )


def programme_diff(request: HttpRequest, slug: str, old: int, new: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    _programme, versions = _versions(organisation)
    by_number = {v.number: v for v in versions}
    if old not in by_number or new not in by_number:
        raise Http404
    before, after = by_number[old], by_number[new]
    return render(
        request,
        "assemblies/programme_diff.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "before": before,
            "after": after,
            "changes": mark_safe(worddiff.render_changes(_as_text(before), _as_text(after)))
            if worddiff.changed(_as_text(before), _as_text(after))
            else "",
            "versions": versions,
        },
    )
