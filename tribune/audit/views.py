"""The audit log, readable by members and verifiable by anyone."""

from django.core.paginator import Paginator
from django.shortcuts import render

from tribune.audit.log import PRIVATE_ACTIONS, throttle_public_verify, verify_since_verified
from tribune.audit.models import AuditEntry
from tribune.web.helpers import organisation_and_viewer


def audit_log(request, slug):
    organisation, viewer = organisation_and_viewer(request, slug)
    entries = AuditEntry.objects.filter(organisation=organisation).select_related(
        "actor", "term__office"
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    verification = None
    if request.GET.get("verify"):
        throttle_public_verify(request)
        verification = verify_since_verified(organisation)
    return render(
        request,
        "audit/log.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "page": page,
            "verification": verification,
            # Names are for members, and only for acts the rules make public: a private
            # act is recorded with no actor at all (PRIVATE_ACTIONS), so none can show.
            "show_names": viewer is not None and viewer.in_good_standing,
            "private_actions": PRIVATE_ACTIONS,
        },
    )
