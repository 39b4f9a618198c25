"""The constitution, current and every past version: public, so applicants can read it."""

from django.shortcuts import get_object_or_404, render

from tribune.constitution.changes import compare
from tribune.constitution.models import ConstitutionVersion
from tribune.offices.models import Office
from tribune.offices.powers import FACTION_POWERS, POWERS
from tribune.web.helpers import organisation_and_viewer


def constitution(request, slug, number=None):
    organisation, viewer = organisation_and_viewer(request, slug)
    versions = organisation.constitution_versions.order_by("-number")
    version = (
        get_object_or_404(ConstitutionVersion, organisation=organisation, number=number)
        if number
        else versions.first()
    )
    offices = list(Office.objects.filter(body__organisation=organisation).select_related("body"))
    for office in offices:
        labels = FACTION_POWERS if office.body.faction_id else POWERS
        office.power_names = [str(labels.get(p, p)).lower() for p in office.powers]
    return render(
        request,
        "constitution/constitution.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "version": version,
            "versions": versions,
            "offices": offices,
            "amending_offices": [o for o in offices if "call_elections" in o.powers],
        },
    )


def constitution_diff(request, slug, old, new):
    """Two versions side by side: the rules that changed, and the preamble's words."""
    organisation, viewer = organisation_and_viewer(request, slug)
    versions = ConstitutionVersion.objects.select_related("appeal_body")
    before = get_object_or_404(versions, organisation=organisation, number=old)
    after = get_object_or_404(versions, organisation=organisation, number=new)
    return render(
        request,
        "constitution/diff.html",
        {"organisation": organisation, "viewer": viewer, "comparison": compare(before, after)},
    )
