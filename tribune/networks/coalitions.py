"""Coalitions: partial unity on named demands, each member ratifying by its own rules.

Each invited organisation moves invited → deciding (``ratifying``) → ratified,
declined or withdrawn. Ratifying, declining and withdrawing cite a decision of
*that* organisation (``tribune.networks.decisions``); a decision is cited once.
A coalition is **active** once two organisations have ratified its current
round, and **ended** after its end date — both computed from the rows when read
(``Coalition.status``), so no worker is needed. Renewing sets a new end date and
opens a new round: every ratification of the old round stops counting, and each
organisation ratifies afresh, citing a fresh decision.

What a coalition cannot do is written down here because it is the point: no
function in this module (or anywhere in tribune.networks) writes into a member's
programme, constitution or membership. A ratifying organisation may link each
demand to sections of its own programme (section keys, read and checked, never
written); its page shows which of its demands it pursues in which coalitions.

Actor functions take an officer on this server; ``record_*`` functions take
plain values and are what the federation calls for acts from other servers.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.lib.inputs import check_moment
from tribune.networks import decisions
from tribune.networks.common import by_uri, clean_uri, forward, local_organisation, mint
from tribune.networks.common import name as clean_name
from tribune.networks.models import Coalition, Demand, Network, Participation
from tribune.networks.models import ParticipationState as State
from tribune.networks.networks import _slug
from tribune.struggles.services.common import text

MAX_DEMANDS = 20

# Which state each act leads to, and the states it may start from.
MOVES = {
    "ratifying": ({State.INVITED}, State.RATIFYING),
    "ratified": ({State.INVITED, State.RATIFYING}, State.RATIFIED),
    "declined": ({State.INVITED, State.RATIFYING}, State.DECLINED),
    "withdrawn": ({State.RATIFIED, State.RATIFYING}, State.WITHDRAWN),
}
# Acts that bind the organisation, and so must cite its decision.
CITING = {"ratified", "declined", "withdrawn"}


def _ends_on(value) -> date:
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise RuleViolation(_t("Give a date."), "ends_on")
    check_moment(value, field="ends_on")
    if value < timezone.localdate():
        raise RuleViolation(_t("The end date must not be in the past."), "ends_on")
    return value


def _demands(items) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise RuleViolation(_t("Name at least one demand."), "demands")
    if len(items) > MAX_DEMANDS:
        raise RuleViolation(_t("At most %(n)s demands.") % {"n": MAX_DEMANDS}, "demands")
    cleaned, keys = [], set()
    for item in items:
        if isinstance(item, str):
            item = {"title": item}
        if not isinstance(item, dict):
            raise RuleViolation(_t("Each demand needs a title."), "demands")
        title = text(item.get("title"), field="demands", max_length=300)
        key = slugify(item.get("key") or title)[:50] or "demand"
        base, n = key, 2
        while key in keys:
            key, n = f"{base[:45]}-{n}", n + 1
        keys.add(key)
        body = text(
            item.get("text", ""), field="demands", max_length=5000, required=False, one_line=False
        )
        cleaned.append({"key": key, "title": title, "text": body})
    return cleaned


def participant(coalition: Coalition, organisation_uri: str) -> Participation | None:
    return coalition.participations.filter(organisation_uri=organisation_uri).first()


def _forward_if_away(coalition: Coalition, action: str, values: dict) -> bool:
    if coalition.home:
        return False
    forward.send(sender=Coalition, target_uri=coalition.uri, action=action, values=values)
    return True


def programme_keys(organisation) -> set[str]:
    """The section keys of ``organisation``'s current programme (read only)."""
    from tribune.assemblies.models import Programme

    programme = Programme.objects.filter(organisation=organisation).first()
    current = programme.current() if programme else None
    return set(current.sections.values_list("key", flat=True)) if current else set()


def _links(coalition: Coalition, organisation, links) -> dict:
    """Demand key → this organisation's programme section keys; checked, never written."""
    if links in (None, {}):
        return {}
    if not isinstance(links, dict):
        raise RuleViolation(_t("Link demands to sections of your programme."), "programme_links")
    demands = set(coalition.demands.values_list("key", flat=True))
    sections = programme_keys(organisation) if organisation is not None else None
    cleaned = {}
    for demand, keys in links.items():
        if demand not in demands:
            raise RuleViolation(_t("This coalition has no such demand."), "programme_links")
        if isinstance(keys, str):
            keys = [keys]
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise RuleViolation(_t("Give section keys of your programme."), "programme_links")
        if sections is not None and not set(keys) <= sections:
            raise RuleViolation(
                _t("Your programme has no section with that key."), "programme_links"
            )
        cleaned[demand] = sorted(set(keys))[:20]
    return cleaned


# --- record functions (plain values; the federation calls these) ---------------------------


@transaction.atomic
def record_invitation(
    coalition_uri: str, organisation_uri: str, organisation_name: str, invited_by_uri: str
) -> Participation:
    """An organisation that has ratified invites another (by its actor URI)."""
    coalition = Coalition.objects.select_for_update().get(pk=by_uri(Coalition, coalition_uri).pk)
    clean_uri(organisation_uri, "organisation")
    inviter = participant(coalition, invited_by_uri)
    if coalition.founded_by_uri != invited_by_uri and (inviter is None or not inviter.counts):
        raise NotPermitted(_t("Only organisations that have ratified this coalition can invite."))
    existing = participant(coalition, organisation_uri)
    if existing is not None and existing.state not in (State.DECLINED, State.WITHDRAWN):
        raise RuleViolation(_t("Already invited."), "organisation")
    participation, _created = Participation.objects.update_or_create(
        coalition=coalition,
        organisation_uri=organisation_uri,
        defaults={
            "organisation_name": clean_name(organisation_name, "organisation"),
            "organisation": local_organisation(organisation_uri),
            "state": State.INVITED,
            "round": 0,
            "decision": None,
            "invited_by_uri": invited_by_uri,
            "changed_at": timezone.now(),
        },
    )
    return participation


@transaction.atomic
def record_state(
    coalition_uri: str,
    organisation_uri: str,
    state: str,
    decision: dict | None = None,
    programme_links: dict | None = None,
) -> Participation:
    """Move an organisation's participation (``state``: ratifying, ratified, declined,
    withdrawn); the binding moves cite its decision (plain values, checked on its server)."""
    coalition = Coalition.objects.select_for_update().get(pk=by_uri(Coalition, coalition_uri).pk)
    if state not in MOVES:
        raise RuleViolation(_t("Choose one of the listed steps."), "state")
    participation = participant(coalition, organisation_uri)
    if participation is None:
        raise RuleViolation(_t("This organisation is not invited to this coalition."), "coalition")
    sources, target = MOVES[state]
    if participation.state not in sources and not (
        state == "ratified" and participation.state == State.RATIFIED and not participation.counts
    ):
        raise RuleViolation(
            _t("From “%(now)s” an organisation cannot move to “%(to)s”.")
            % {"now": participation.get_state_display(), "to": State(target).label},
            "state",
        )
    if state == "ratified" and coalition.status() == "expired":
        raise RuleViolation(_t("This coalition has ended: renew it first."), "coalition")
    if state in CITING:
        cited = decisions.from_values(decision, organisation_uri)
        decisions.use(cited, f"{state} {coalition.uri} round {coalition.round}")
        participation.decision = cited.as_dict()
    if state == "ratified":
        participation.round = coalition.round
        participation.programme_links = _links(
            coalition, participation.organisation, programme_links
        )
    participation.state = target
    participation.changed_at = timezone.now()
    participation.save()
    return participation


@transaction.atomic
def record_renewal(coalition_uri: str, ends_on: date | str, renewed_by_uri: str) -> Coalition:
    """A new end date and a new round: every organisation must ratify afresh.

    ``ends_on`` arrives from another server as an ISO date."""
    coalition = Coalition.objects.select_for_update().get(pk=by_uri(Coalition, coalition_uri).pk)
    if isinstance(ends_on, str):
        try:
            ends_on = date.fromisoformat(ends_on)
        except ValueError:
            raise RuleViolation(_t("Give a date."), "ends_on") from None
    by = participant(coalition, renewed_by_uri)
    if by is None or by.state != State.RATIFIED:
        raise NotPermitted(_t("Only an organisation that ratified this coalition can renew it."))
    coalition.ends_on = _ends_on(ends_on)
    coalition.round += 1
    coalition.save(update_fields=["ends_on", "round"])
    coalition.participations.filter(state=State.RATIFIED).update(
        state=State.RATIFYING, changed_at=timezone.now()
    )
    return coalition


# --- actor functions -----------------------------------------------------------------------


@transaction.atomic
def create_coalition(
    actor,
    organisation,
    *,
    name: str,
    slug: str,
    demands: list,
    ends_on: date,
    purpose: str = "",
    network: Network | None = None,
) -> Coalition:
    """Propose a coalition; the proposing organisation is invited first and ratifies like any."""
    term = decisions.mandate(actor, organisation)
    slug = _slug(slug)
    if Coalition.objects.filter(slug=slug).exists():
        raise RuleViolation(_t("Another coalition has this short name."), "slug")
    if network is not None:
        from tribune.networks.networks import is_member

        if not is_member(network, organisation):
            raise NotPermitted(_t("Only organisations in this network can do this."))
    cleaned = _demands(demands)
    coalition = Coalition(
        slug=slug,
        name=clean_name(name),
        purpose=text(purpose, field="purpose", max_length=5000, required=False, one_line=False),
        ends_on=_ends_on(ends_on),
        network=network,
        founded_by_uri=organisation.uri,
    )
    coalition.uri = mint("coalition", coalition.uid)
    coalition.save()
    for position, demand in enumerate(cleaned):
        Demand.objects.create(coalition=coalition, position=position, **demand)
    Participation.objects.create(
        coalition=coalition,
        organisation_uri=organisation.uri,
        organisation_name=organisation.name,
        organisation=organisation,
        invited_by_uri=organisation.uri,
    )
    record(
        organisation,
        "coalition.founded",
        actor=actor,
        term=term,
        target=coalition,
        data={"coalition": coalition.uri, "name": coalition.name, "demands": len(cleaned)},
    )
    return coalition


@transaction.atomic
def invite(
    actor, organisation, coalition: Coalition, *, organisation_uri: str, organisation_name: str = ""
) -> Participation | None:
    term = decisions.mandate(actor, organisation)
    clean_uri(organisation_uri, "organisation")
    if not organisation_name:
        known = local_organisation(organisation_uri)
        organisation_name = known.name if known is not None else ""
    if not organisation_name:
        raise RuleViolation(_t("Give the organisation's name."), "organisation_name")
    values = {
        "coalition_uri": coalition.uri,
        "organisation_uri": organisation_uri,
        "organisation_name": organisation_name,
        "invited_by_uri": organisation.uri,
    }
    participation = None
    if not _forward_if_away(coalition, "invite", values):
        participation = record_invitation(**values)
    record(
        organisation,
        "coalition.invited",
        actor=actor,
        term=term,
        target=coalition,
        data={
            "coalition": coalition.uri,
            "organisation": organisation_uri,
            "name": organisation_name,
        },
    )
    return participation


@transaction.atomic
def decide(
    actor,
    organisation,
    coalition: Coalition,
    state: str,
    *,
    decision_kind: str = "",
    decision_ref=None,
    programme_links: dict | None = None,
) -> Participation | None:
    """Carry out ``organisation``'s decision on ``coalition``: deciding, ratified, declined or
    withdrawn. The binding ones cite a decision of this organisation's own."""
    if state not in MOVES:
        raise RuleViolation(_t("Choose one of the listed steps."), "state")
    if state in CITING:
        decision, term = decisions.check(organisation, actor, decision_kind, decision_ref)
        cited = decision.as_dict()
    else:
        term, cited = decisions.mandate(actor, organisation), None
    current = Coalition.objects.get(pk=coalition.pk)  # the caller's copy may predate a renewal
    if state == "ratified" and current.status() == "expired":
        # Refused here too (a copy ends on the same date): no decision used up for nothing.
        raise RuleViolation(_t("This coalition has ended: renew it first."), "coalition")
    values = {
        "coalition_uri": coalition.uri,
        "organisation_uri": organisation.uri,
        "state": state,
        "decision": cited,
        "programme_links": _links(coalition, organisation, programme_links),
    }
    participation = None
    if coalition.home:
        participation = record_state(**values)
    else:  # decided elsewhere: the decision is used up here, then the act is sent there
        if state in CITING:
            decisions.use(decision, f"{state} {coalition.uri} round {coalition.round}")
        _forward_if_away(coalition, "decide", values)
    record(
        organisation,
        f"coalition.{state}",
        actor=actor,
        term=term,
        target=coalition,
        data={"coalition": coalition.uri, "decision": cited},
    )
    return participation


@transaction.atomic
def renew(actor, organisation, coalition: Coalition, *, ends_on: date) -> Coalition:
    term = decisions.mandate(actor, organisation)
    values = {
        "coalition_uri": coalition.uri,
        "ends_on": _ends_on(ends_on).isoformat(),  # checked here too, and sent as plain text
        "renewed_by_uri": organisation.uri,
    }
    by = participant(coalition, organisation.uri)
    if by is None or by.state != State.RATIFIED:
        raise NotPermitted(_t("Only an organisation that ratified this coalition can renew it."))
    if not _forward_if_away(coalition, "renew", values):
        coalition = record_renewal(**values)
    record(
        organisation,
        "coalition.renewed",
        actor=actor,
        term=term,
        target=coalition,
        data={"coalition": coalition.uri, "ends_on": ends_on, "round": coalition.round},
    )
    return coalition


# --- reading -------------------------------------------------------------------------------


def pursued_by(organisation) -> list[dict]:
    """Which of ``organisation``'s demands it pursues in which coalitions (its page)."""
    rows = []
    participations = Participation.objects.filter(organisation_uri=organisation.uri)
    for p in participations.select_related("coalition").order_by("coalition__ends_on"):
        coalition = p.coalition
        rows.append(
            {
                "coalition": coalition,
                "participation": p,
                "demands": [
                    {"demand": d, "sections": p.programme_links.get(d.key, [])}
                    for d in coalition.demands.all()
                ],
            }
        )
    return rows
