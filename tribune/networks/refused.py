"""An act sent to another server and refused there: undone here as far as it was done here.

An act on a copy (a network, coalition or concert pledge whose home is another
server) is taken here at once as far as this server's part goes: the
organisation's decision is recorded as cited, the act entered in its audit log.
Then it is sent home, where the same rules are checked again against the home's
own state. When the home server refuses it (say the coalition ended there
meanwhile, or another server's act came first), the act never happened: the
decision is freed to be cited again, the refusal and the home's reason follow
the act in the organisation's audit log (the log only grows), and the officers
who represent the organisation in networks are told, with a link to the copy.

An act that could not be delivered (the home did not answer for 48 hours, or
refused the link or the message's form) is not undone: it may yet be taken
there once the operator sends it again. The representatives are told it is not
done there yet (``act_undelivered``).
"""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from tribune.audit.log import record
from tribune.networks.common import local_organisation
from tribune.networks.decisions import POWER
from tribune.networks.models import Cited, Coalition, ConcertPledge, Network

# What each act sent home is, in the words of the notice.
ACTS = {
    "invite": _("an invitation"),
    "join": _("joining"),
    "leave": _("leaving"),
    "decide": _("a decision on the coalition"),
    "renew": _("renewing the coalition"),
    "count": _("the count of pledges"),
    "endorse": _("an endorsement"),
    "size": _("the count of members"),
    "share": _("sharing"),
    "unshare": _("withdrawing what was shared"),
}


def _copy(uri: str):
    for model in (Network, Coalition, ConcertPledge):
        found = model.objects.filter(uri=uri, home=False).first()
        if found is not None:
            return found
    return None


def _link(copy) -> str:
    """The public page of the copy (a pledge's: its coalition's or network's)."""
    if isinstance(copy, ConcertPledge):
        copy = copy.coalition or copy.network
    if isinstance(copy, Coalition):
        return reverse("web:coalition", kwargs={"coalition_slug": copy.slug})
    if isinstance(copy, Network):
        return reverse("web:network", kwargs={"network_slug": copy.slug})
    return ""


def _representatives(organisation) -> list[int]:
    """The members whose current term lets them act for ``organisation`` in networks
    (as ``offices.rules.mandate_for`` grants it: a body of the whole organisation, and
    the member in good standing)."""
    from tribune.members.models import Standing
    from tribune.offices.models import Term

    terms = (
        Term.objects.current()
        .filter(
            member__organisation=organisation,
            member__standing=Standing.GOOD,
            office__body__branch__parent__isnull=True,
        )
        .select_related("office")
    )
    return sorted({t.member_id for t in terms if POWER in t.office.powers})


@transaction.atomic
def act_refused(
    *, activity_id: str, target_uri: str, action: str, acting_uri: str, values: dict, reason: str
):
    """The home server of ``target_uri`` refused an act of this server's organisation.

    Returns the audit entry written, or None when the act was not an organisation's
    of this server (a network's own decision sent to its parent's home).
    """
    from tribune.struggles.services.notices import notify

    organisation = local_organisation(acting_uri)
    if organisation is None:
        return None
    copy = _copy(target_uri)
    cited = values.get("decision")
    freed = 0
    if isinstance(cited, dict) and isinstance(cited.get("uri"), str):
        freed, _ = Cited.objects.filter(
            uri=cited["uri"][:500], organisation_uri=organisation.uri
        ).delete()
    entry = record(
        organisation,
        "network.act_refused",
        target=copy,
        data={
            "act": action,
            "target": target_uri,
            "reason": reason[:500],
            "decision_freed": cited if freed else None,
        },
    )
    name = str(copy) if copy is not None else target_uri
    text = _t(
        "The server where “%(name)s” is decided refused %(act)s for %(organisation)s: %(reason)s"
    ) % {
        "name": name,
        "act": ACTS.get(action, action),
        "organisation": organisation.name,
        "reason": reason[:300],
    }
    if freed:
        text += " " + _t("The decision cited for it can be cited again.")
    notify(_representatives(organisation), f"act-refused:{activity_id}", text, _link(copy))
    return entry


def act_undelivered(*, activity_id: str, target_uri: str, action: str, acting_uri: str) -> int:
    """An act of this server's organisation could not be delivered to its home server.

    Nothing is undone (the operator may send it again, and it may yet be taken
    there): the representatives are told it is not done yet. How many were told.
    """
    from tribune.struggles.services.notices import notify

    organisation = local_organisation(acting_uri)
    if organisation is None:
        return 0
    copy = _copy(target_uri)
    text = _t(
        "Not done yet: %(act)s for %(organisation)s could not be delivered to the server "
        "where “%(name)s” is decided (it did not answer, or the link between the servers is "
        "not working). This server's operator can send it again."
    ) % {
        "act": ACTS.get(action, action),
        "organisation": organisation.name,
        "name": str(copy) if copy is not None else target_uri,
    }
    key = f"act-undelivered:{activity_id}"
    return notify(_representatives(organisation), key, text, _link(copy))
