"""Turn a refused action that escaped a view into a clear error page, never a 500."""

from django.shortcuts import render
from django.utils.translation import gettext as _t

from tribune.lib.errors import RuleViolation, TooManyAttempts


class RuleViolationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and _has_nul(request):
            # Views look objects up by what the address says (a branch's slug in
            # ?branch=); PostgreSQL cannot even compare text holding a NUL.
            message = _t("The address holds a character no page uses.")
            return render(request, "refused.html", {"message": message}, status=400)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RuleViolation) and not request.path.startswith("/api/"):
            response = render(
                request,
                "refused.html",
                {"message": exception.message, **_frame(request)},
                status=exception.status,
            )
            if isinstance(exception, TooManyAttempts):
                response["Retry-After"] = str(exception.retry_after)
            return response
        return None


def _has_nul(request) -> bool:
    return "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.GET.items()
    )


def _frame(request) -> dict:
    """The organisation the refused page belongs to (and the viewer in it), so the refusal
    keeps the organisation's menu and can offer its page as the next step."""
    from tribune.offices.rules import member_of
    from tribune.organisations.models import Organisation

    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug") if match else None
    organisation = Organisation.objects.filter(slug=slug).first() if slug else None
    if organisation is None:
        return {}
    return {"organisation": organisation, "viewer": member_of(request.user, organisation)}
