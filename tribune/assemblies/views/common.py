"""What every assembly view needs: the assembly of the address, the acting member,
whether the viewer chairs or may convene, and the way back to the page.
"""

from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _t

from tribune.assemblies import services
from tribune.assemblies.models import Assembly
from tribune.lib.errors import NotPermitted
from tribune.members.models import Member
from tribune.offices.rules import reach


def _member(viewer: Member | None) -> Member:
    if viewer is None:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    return viewer


def _assembly(organisation, pk: int) -> Assembly:
    return get_object_or_404(
        Assembly.objects.select_related("organisation", "branch", "chair_office"),
        organisation=organisation,
        pk=pk,
    )


def _is_chair(viewer: Member | None, assembly: Assembly) -> bool:
    try:
        services.chair_term(viewer, assembly)
    except NotPermitted:
        return False
    return True


def _can_convene(viewer: Member | None) -> bool:
    try:
        return bool(reach(viewer, "convene_assemblies"))
    except NotPermitted:
        return False


def _back(assembly: Assembly, anchor: str = "live"):
    return redirect(f"{assembly.get_absolute_url()}#{anchor}")
