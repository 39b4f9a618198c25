"""Helpers shared by the API routers."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t

from tribune.lib.errors import NotAuthenticated, NotPermitted
from tribune.offices.rules import member_of
from tribune.organisations.models import Organisation


def organisation_and_member(request, slug: str):
    organisation = get_object_or_404(Organisation, slug=slug)
    return organisation, member_of(request.user, organisation)


def acting(request, slug: str):
    """The caller's organisation and membership record, in one query.

    404 for an unknown organisation, 401 without a login, 403 without a
    membership record: for every call that acts. ``organisation_and_member``
    where anonymous callers may read too.
    """
    from tribune.members.models import Member

    if not request.user.is_authenticated:
        get_object_or_404(Organisation, slug=slug)
        require_login(request)
    member = (
        Member.objects.select_related("organisation")
        .filter(organisation__slug=slug, user=request.user)
        .first()
    )
    if member is None:
        get_object_or_404(Organisation, slug=slug)
        raise NotPermitted(_t("You have no membership record here."))
    return member.organisation, member


def require_login(request):
    if not request.user.is_authenticated:
        raise NotAuthenticated(_t("Log in or send a personal API token."), "Authorization")


def require_good_standing(request, member):
    require_login(request)
    if member is None or not member.in_good_standing:
        raise NotPermitted(_t("Only members in good standing can see this."))
    return member
