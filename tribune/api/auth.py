"""API authentication: a personal token (``Authorization: Bearer trb_…``) or the browser session.

Anonymous callers are let through as anonymous — many records (constitution,
bodies, audit log) are public — and each endpoint's domain call decides the rest,
exactly as in the web UI. Session calls that change state must carry the CSRF token.
"""

from django.contrib.auth.models import AnonymousUser
from ninja.utils import check_csrf

from tribune.accounts import usage
from tribune.accounts.models import ApiToken, hash_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def token_or_session(request):
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(header[7:].strip()), user__is_active=True)
            .first()
        )
        if token is None:
            return None
        usage.note_use(token)  # batched: a vote is not slowed by bookkeeping
        request.user = token.user
        return token.user
    if request.user.is_authenticated:
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            return None
        return request.user
    request.user = AnonymousUser()
    return "anonymous"
