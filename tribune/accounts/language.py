"""Which language a page speaks, and the chooser that changes it.

In order: the person's own choice, kept on their account (``Preferences.language``,
copied into the session at login so no page pays a query for it); else this
browser's choice, if a visitor made one with the chooser (the language cookie);
else, for someone logged in, the organisation's default language on its pages;
else what the browser asks for (``Accept-Language``); else the organisation's
default; else the server's ``LANGUAGE_CODE``. Django's ``LocaleMiddleware`` has
already applied the cookie and the browser's wish; this middleware only overrides
it where the account or the organisation says otherwise.
"""

import re

from django import forms
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

SESSION_KEY = "tribune_language"
SUPPORTED = {code for code, _name in settings.LANGUAGES}


def browser_language(request: HttpRequest) -> str | None:
    """The first language the browser asks for that Tribune speaks, if any."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def organisation_language(slug: str) -> str:
    from tribune.organisations.models import Organisation

    return Organisation.objects.filter(slug=slug).values_list("language", flat=True).first() or ""


def choose_language(request: HttpRequest, organisation_slug: str | None = None) -> str:
    """The language for this request (see the module's docstring for the order)."""
    own = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if own in SUPPORTED:
        return own
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED:
        return cookie
    default = organisation_language(organisation_slug) if organisation_slug else ""
    user = getattr(request, "user", None)
    if default and user is not None and user.is_authenticated:
        return default
    return browser_language(request) or default or settings.LANGUAGE_CODE


ORGANISATION_PATH = re.compile(r"^/o/([-a-zA-Z0-9_]{1,50})/")


class LanguageMiddleware:
    """Activates the chosen language; an organisation's pages are those under ``/o/<slug>/``.

    The slug is read from the path (not the resolved view) so that a 404 inside an
    organisation speaks its language too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = ORGANISATION_PATH.match(request.path_info)
        language = choose_language(request, match.group(1) if match else None)
        if language != translation.get_language():
            translation.activate(language)
        request.LANGUAGE_CODE = language
        return self.get_response(request)


@receiver(user_logged_in)
def _remember_language(sender, request, user, **kwargs) -> None:
    from tribune.accounts.models import Preferences

    if request is None or not hasattr(request, "session"):
        return
    chosen = Preferences.objects.filter(user=user).values_list("language", flat=True).first()
    if chosen:
        request.session[SESSION_KEY] = chosen
    else:
        request.session.pop(SESSION_KEY, None)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


def remember_language(user, language: str) -> None:
    """Keep ``language`` as this person's choice on every device ("" forgets it)."""
    from tribune.accounts.models import Preferences

    if language and language not in SUPPORTED:
        raise ValueError(language)
    Preferences.objects.update_or_create(user=user, defaults={"language": language})


@require_POST
def choose(request: HttpRequest) -> HttpResponse:
    """Keep the chosen language: on the account when logged in, in a cookie either way."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        remember_language(request.user, language)
        request.session[SESSION_KEY] = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
