"""Tribune's django-allauth adapter: login emails through the outbox, and the client address.

Every email the login system sends (address confirmation, password reset,
security notices) is queued in the outbox (tribune/outbox) in the caller's
transaction instead of being handed to the mail server during the request: an
SMTP failure then neither loses the email nor breaks the page; it is retried,
and an email given up on shows in ``tribune mail status``, /healthz and /metrics.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest

from tribune.outbox.services import queue_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render as allauth does, then queue (not send) the email's plain-text body.

        The outbox holds one plain-text body: allauth's text template is the
        email (Tribune ships no HTML login emails).
        """
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        kind = "login: " + template_prefix.rsplit("/", 1)[-1].replace("_", " ")
        for address in message.to:
            queue_email(address, message.subject, message.body, kind=kind)

    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's answer (X-Forwarded-For per TRUSTED_PROXY_COUNT), never a server error.

        allauth raises ImproperlyConfigured when X-Forwarded-For has fewer
        entries than the proxies we trust, i.e. the request did not come through
        all of them. Then no entry of the header can be trusted, and the address
        that connected to us is the one to limit, not a 500 on the login page.
        """
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            address = request.META.get("REMOTE_ADDR")
            if not address:
                raise PermissionDenied("Unable to determine client IP address") from None
            return address
