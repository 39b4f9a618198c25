"""Posting from the assembly page: a plain button, or a form whose action is run and
then either redirects back with a message or shows the page again with the reason.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from tribune.assemblies.models import Assembly
from tribune.assemblies.views.common import _assembly, _back, _member
from tribune.assemblies.views.page import _again
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.models import Member
from tribune.web.helpers import attempt, organisation_and_viewer


def _button(request, assembly: Assembly, action, *args, done: str) -> HttpResponse:
    """A plain button (no fields): a refusal becomes a message, then back to the page."""
    try:
        action(*args)
    except NotPermitted:
        raise
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(assembly)


def _acting(request: HttpRequest, slug: str, pk: int) -> tuple[Assembly, Member]:
    organisation, viewer = organisation_and_viewer(request, slug)
    return _assembly(organisation, pk), _member(viewer)


def _submit(
    request: HttpRequest,
    assembly: Assembly,
    viewer: Member,
    name: str,
    form,
    run: Callable[[dict], object],
    done: str | Callable[[object], str],
    anchor: str = "live",
) -> HttpResponse:
    """Run a form's action: done, a message and back to the page; refused or invalid,
    the page again with the reason on the form (``name`` in the page's context)."""
    if form.is_valid():
        result = attempt(form, run, form.cleaned_data)
        if result is not None:
            messages.success(request, done(result) if callable(done) else done)
            return _back(assembly, anchor)
    return _again(request, assembly, viewer, **{name: form})
