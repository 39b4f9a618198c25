"""Tribune's django-allauth adapter: the client address used by the login rate limits."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
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
