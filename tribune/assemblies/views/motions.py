"""Tabling motions and amendments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.assemblies import services
from tribune.assemblies.forms import AmendmentForm, MotionForm
from tribune.assemblies.models import Programme
from tribune.assemblies.views.common import _assembly, _back, _member
from tribune.assemblies.views.page import _again
from tribune.web.helpers import attempt, organisation_and_viewer


@login_required
@require_POST
def table_motion(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    viewer = _member(viewer)
    programme = Programme.objects.filter(organisation=organisation).first()
    current = programme.current() if programme else None
    form = MotionForm(
        request.POST,
        assembly=assembly,
        sections=current.sections.all() if current else [],
        member=viewer,
    )
    if form.is_valid():
        data = form.cleaned_data
        motion = attempt(
            form,
            services.table_motion,
            viewer,
            assembly,
            title=data["title"],
            text=data["text"],
            agenda_item=data["agenda_item"],
            branch=data.get("on_behalf_of_branch"),
            faction=data.get("on_behalf_of_faction"),
            programme_section=data["programme_section"],
            amends_constitution=data["amends_constitution"],
        )
        if motion is not None:
            messages.success(request, _t("Your motion is tabled."))
            return _back(assembly, f"motion-{motion.pk}")
    return _again(request, assembly, viewer, motion_form=form)


@login_required
def table_amendment(request: HttpRequest, slug: str, pk: int, motion_id: int) -> HttpResponse:
    """Amend the motion as tabled by quoting a passage of it and typing the replacement."""
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    viewer = _member(viewer)
    motion = get_object_or_404(assembly.motions, pk=motion_id)
    # The motion page's "amend the selected passage" link brings the selection along.
    form = AmendmentForm(request.POST or None, initial={"passage": request.GET.get("passage", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        amendment = attempt(
            form,
            services.amend_passage,
            viewer,
            motion,
            passage=data["passage"],
            replacement=data["replacement"],
            reason=data["reason"],
        )
        if amendment is not None:
            messages.success(
                request, _t("Amendment %(label)s is tabled.") % {"label": amendment.label}
            )
            return _back(assembly, f"motion-{motion.pk}")
    return render(
        request,
        "assemblies/amend.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "assembly": assembly,
            "motion": motion,
            "tabled": motion.versions.get(number=1).text,
            "form": form,
        },
        status=400 if form.errors else 200,
    )
