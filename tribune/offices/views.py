"""Bodies, offices, mandates and who holds them until when."""

from django.db.models import Prefetch
from django.shortcuts import render

from tribune.offices.models import Body, Office, Term
from tribune.offices.powers import POWERS
from tribune.offices.rules import current_terms
from tribune.web.helpers import organisation_and_viewer


def bodies(request, slug):
    organisation, viewer = organisation_and_viewer(request, slug)
    current = Term.objects.current().select_related("member")
    bodies = (
        Body.objects.filter(organisation=organisation)
        .select_related("branch")
        .prefetch_related(
            Prefetch(
                "offices",
                queryset=Office.objects.prefetch_related(
                    Prefetch("terms", queryset=current, to_attr="current_terms")
                ),
            )
        )
    )
    return render(
        request,
        "offices/bodies.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "bodies": bodies,
            "powers": POWERS,
            "my_terms": current_terms(viewer) if viewer else [],
        },
    )
