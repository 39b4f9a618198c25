"""Shared checks and identities of the networks app."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.dispatch import Signal
from django.utils.translation import gettext as _t

from tribune.lib.errors import NotFound, RuleViolation
from tribune.struggles.services.common import text

# An act taken here on a network, coalition or concert pledge whose home is another
# server (``home`` False): the federation delivers it there, where the same record_*
# function is called with these values. kwargs: target_uri, action, values (plain dict).
forward = Signal()

# Asked by an organisation's networks page: its acts sent to other servers and not
# (yet) taken there. kwargs: organisation_uri. Each receiver returns a list of
# ``SentAct`` (the federation's, tribune/federation/network_bridge.py).
sent_acts = Signal()

# A concert pledge reached its threshold (sent after the commit, once, on its home
# server): the federation tells every participating organisation's server.
# kwargs: pledge_uri, organisation_uris.
concert_triggered = Signal()


@dataclass(frozen=True)
class SentAct:
    """An act of an organisation here on a copy, as its home server has (not yet) taken it."""

    target_uri: str
    action: str
    state: str  # "waiting" (not yet answered), "failed" (not delivered) or "refused"
    since: datetime
    reason: str = ""


def acts_sent(organisation_uri: str) -> dict[str, list[SentAct]]:
    """The organisation's sent acts not taken at home, by the address of what they act on."""
    found: dict[str, list[SentAct]] = {}
    for _receiver, acts in sent_acts.send(sender=None, organisation_uri=organisation_uri):
        for act in acts or ():
            found.setdefault(act.target_uri, []).append(act)
    return found


URI = re.compile(r"^https?://[^\s/]+(/[^\s]*)?$")


def site() -> str:
    return settings.TRIBUNE_SITE_URL.rstrip("/")


def mint(kind: str, uid) -> str:
    """The URI of a new object of this server: the site, its kind and its UUID."""
    return f"{site()}/id/{kind}/{uid}"


def clean_uri(value, field: str) -> str:
    if not isinstance(value, str) or len(value) > 500 or not URI.match(value):
        raise RuleViolation(_t("Give an address beginning https://."), field)
    return value


def name(value, field: str = "name") -> str:
    return text(value, field=field, max_length=200)


def local_organisation(uri: str):
    """The organisation of this server with actor URI ``uri``, or None."""
    from tribune.organisations.models import Organisation

    prefix = f"{site()}/id/organisation/"
    if not uri.startswith(prefix):
        return None
    uid = uri[len(prefix) :]
    if not re.fullmatch(r"[0-9a-f-]{36}", uid):
        return None
    return Organisation.objects.filter(uid=uid).first()


def by_uri(model, uri, field: str = "__all__"):
    """The network, coalition or pledge known here by ``uri`` (404 otherwise)."""
    found = model.objects.filter(uri=uri).first() if isinstance(uri, str) else None
    if found is None:
        raise NotFound(_t("Nothing known here has this address."), field)
    return found


def good_standing_count(organisation) -> int:
    from tribune.members.models import Member, Standing

    return Member.objects.filter(organisation=organisation, standing=Standing.GOOD).count()


def number(value, field: str, message: str) -> int:
    """An object's number from outside: anything no row can have is refused as not found."""
    from tribune.lib.inputs import MAX_ID

    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise RuleViolation(message, field)
    return value
