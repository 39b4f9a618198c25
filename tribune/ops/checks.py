"""Tribune's own deployment checks, run by ``tribune check --deploy`` beside Django's.

Each problem is one Error with one line that says what is wrong and what to set
(the documented production settings are in docs/deploy.md and pass them all).
"""

import ipaddress

from django.conf import settings
from django.core.checks import Error, register

LOCAL_HOSTS = {"localhost", "testserver", "127.0.0.1", "[::1]", "::1"}
TEST_MAIL = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


def _is_local(host: str) -> bool:
    host = host.strip("[]")
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secret_key() -> list[Error]:
    from tribune.lib.secret_key import key_problem

    problem = key_problem(settings.SECRET_KEY, settings.SECRET_KEY_FILE)
    return [Error(f"{problem} Set SECRET_KEY or fix the key file.", id="tribune.E001")] * bool(
        problem
    )


def _https() -> list[Error]:
    if settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE:
        return []
    return [
        Error(
            "Login cookies are not marked Secure: serve Tribune through HTTPS and set HTTPS=1.",
            id="tribune.E002",
        )
    ]


def _allowed_hosts() -> list[Error]:
    hosts = settings.ALLOWED_HOSTS
    if "*" in hosts or any(h.startswith(".") and len(h) < 3 for h in hosts):
        return [Error("ALLOWED_HOSTS accepts any host: name this server's.", id="tribune.E003")]
    if not [h for h in hosts if not _is_local(h)]:
        return [
            Error(
                "ALLOWED_HOSTS names only this machine: set it to the server's public name "
                "(e.g. ALLOWED_HOSTS=tribune.example.org).",
                id="tribune.E003",
            )
        ]
    return []


def _site_url() -> list[Error]:
    url = settings.TRIBUNE_SITE_URL
    if not url.startswith("https://"):
        return [
            Error(
                f"TRIBUNE_SITE_URL is {url}: set it to the public https:// address, which "
                "links in emails use.",
                id="tribune.E004",
            )
        ]
    return []


def _mail() -> list[Error]:
    backend = getattr(settings, "TRIBUNE_EMAIL_BACKEND", settings.EMAIL_BACKEND)
    problems = []
    if backend in TEST_MAIL:
        problems.append(
            Error(
                f"Email is not sent anywhere (EMAIL_BACKEND is {backend.rsplit('.', 2)[-2]}): "
                "set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST.",
                id="tribune.E005",
            )
        )
    sender = settings.DEFAULT_FROM_EMAIL
    if sender.rsplit("@", 1)[-1].rstrip(">") in {"localhost", "example.org", "example.com"}:
        problems.append(
            Error(
                f"DEFAULT_FROM_EMAIL is {sender}: set an address of your own domain.",
                id="tribune.E006",
            )
        )
    return problems


def _demo() -> list[Error]:
    from django.db import DatabaseError

    from tribune.organisations.demo import SLUG
    from tribune.organisations.models import Organisation

    try:
        present = Organisation.objects.filter(slug=SLUG).exists()
    except DatabaseError:
        return []  # no database yet (not migrated): nothing to find
    if present:
        return [
            Error(
                "The demo organisation is on this server; its accounts share a published "
                "password. Remove it: tribune demo --remove.",
                id="tribune.E007",
            )
        ]
    from tribune.settings import envbool

    if envbool("TRIBUNE_DEMO"):
        return [Error("TRIBUNE_DEMO is set: unset it in production.", id="tribune.E007")]
    return []


@register("tribune", deploy=True)
def deployment(app_configs=None, **kwargs) -> list[Error]:
    return [
        *_secret_key(),
        *_https(),
        *_allowed_hosts(),
        *_site_url(),
        *_mail(),
        *_demo(),
    ]
