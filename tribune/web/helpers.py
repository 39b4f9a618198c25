"""Small helpers every page uses: find the organisation and who is looking."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t

from tribune.lib.errors import NotPermitted, RuleViolation, TooManyAttempts
from tribune.offices.rules import member_of
from tribune.organisations.models import Organisation


def organisation_and_viewer(request, slug: str):
    organisation = get_object_or_404(Organisation, slug=slug)
    return organisation, member_of(request.user, organisation)


def require_good_standing(viewer):
    if viewer is None or not viewer.in_good_standing:
        raise NotPermitted(_t("Only members in good standing can see this page."))
    return viewer


def attempt(form, action, *args, **kwargs):
    """Run a domain action; put a refusal on the form instead of raising it.

    A missing power is not a form error: it goes on to the 403 page with its reason;
    nor is a rate limit: it goes on to the 429 page saying how long to wait.
    """
    try:
        return action(*args, **kwargs)
    except (NotPermitted, TooManyAttempts):
        raise
    except RuleViolation as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return None


def attempt_writing(form, action, *args, **kwargs):
    """``attempt`` for what a member has typed: a rate limit goes on the form as well, so
    the text comes back to them with the wait, instead of a page that loses it."""
    try:
        return attempt(form, action, *args, **kwargs)
    except TooManyAttempts as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        form.retry_after = exc.retry_after
        return None


def refused_status(form) -> int:
    """429 for a form refused by a rate limit, 400 for any other refusal."""
    return 429 if getattr(form, "retry_after", None) else 400
