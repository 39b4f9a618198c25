"""The list of congresses and assemblies, and convening one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _t

from tribune.assemblies import services
from tribune.assemblies.forms import ConveneForm
from tribune.assemblies.models import Assembly
from tribune.assemblies.views.common import _can_convene
from tribune.offices.rules import reach
from tribune.web.helpers import attempt, organisation_and_viewer


def assemblies(request: HttpRequest, slug: str) -> HttpResponse:
    """Every congress and assembly: anyone may follow them, as they may follow every vote."""
    organisation, viewer = organisation_and_viewer(request, slug)
    all_ = Assembly.objects.filter(organisation=organisation).select_related("branch")
    return render(
        request,
        "assemblies/list.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "upcoming": all_.exclude(status=Assembly.Status.CLOSED).order_by("starts_at"),
            "past": all_.filter(status=Assembly.Status.CLOSED),
            "can_convene": _can_convene(viewer),
        },
    )


@login_required
def convene(request: HttpRequest, slug: str) -> HttpResponse:
    """Convene a congress or assembly (the mandate's power, checked by services)."""
    organisation, viewer = organisation_and_viewer(request, slug)
    reach(viewer, "convene_assemblies")  # no such mandate anywhere: the 403 page says why
    form = ConveneForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assembly = attempt(
            form,
            services.convene,
            viewer,
            data["branch"],
            title=data["title"],
            kind=data["kind"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            motions_deadline=data["motions_deadline"],
            chair=data["chair"],
            **form.standing_orders(),
        )
        if assembly is not None:
            messages.success(request, _t("The assembly is convened."))
            return redirect(assembly)
    return render(
        request,
        "assemblies/convene.html",
        {"organisation": organisation, "viewer": viewer, "form": form},
        status=400 if form.errors else 200,
    )
