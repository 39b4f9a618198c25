"""The constitution, current and every past version: public, so applicants can read it."""

from django.shortcuts import get_object_or_404, render

from tribune.constitution.models import ConstitutionVersion
from tribune.offices.models import Office
from tribune.web.helpers import organisation_and_viewer


def constitution(request, slug, number=None):
    organisation, viewer = organisation_and_viewer(request, slug)
    versions = organisation.constitution_versions.order_by("-number")
    version = (
        get_object_or_404(ConstitutionVersion, organisation=organisation, number=number)
        if number
        else versions.first()
    )
    offices = Office.objects.filter(body__organisation=organisation).select_related("body")
    return render(
        request,
        "constitution/constitution.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "version": version,
            "versions": versions,
            "offices": offices,
        },
    )
