"""Citing an organisation's own decision: the one way it joins, leaves, ratifies or withdraws.

A network or a coalition never decides *for* an organisation. Every act that
binds one (joining or leaving a network, ratifying, declining or withdrawing
from a coalition) cites a decision taken under that organisation's own
constitution, found in the apps that already certify them — nothing here is a
parallel way of deciding:

* ``referendum``: a certified referendum of the whole membership
  (tribune.elections: kind ``referendum``, status certified, passed, the
  electorate the organisation's root branch, not a faction's vote);
* ``motion``: a motion its congress carried (tribune.assemblies: status
  adopted, at an assembly of the whole organisation);
* ``mandate``: an act of an office whose mandate grants ``represent_in_networks``
  (tribune.offices.powers), reaching the whole organisation; the act is the decision.

The decision must be *that* organisation's, and each decision is cited for one
act only (``Cited``: a unique URI), so a renewed coalition needs fresh
ratifications. Carrying out a decision of the members (citing it) is itself an
act of a mandate: it needs ``represent_in_networks`` too, and is logged on the
organisation's side with the officer and their mandate.

A decision taken on another server arrives as plain values (``Decision``), its
own server having checked it; ``use`` records it the same way.
"""

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.lib.errors import RuleViolation
from tribune.networks.models import Cited, DecisionKind

POWER = "represent_in_networks"


@dataclass(frozen=True)
class Decision:
    """A decision as it travels: plain values, the same on every server."""

    kind: str
    uri: str
    title: str
    decided_at: str  # ISO 8601
    organisation_uri: str

    def as_dict(self) -> dict:
        return asdict(self)


def _site() -> str:
    return settings.TRIBUNE_SITE_URL.rstrip("/")


def _ref(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RuleViolation(_t("Give the number of the decision."), field)
    try:
        number = int(value)
    except ValueError:
        raise RuleViolation(_t("Give the number of the decision."), field) from None
    if not 1 <= number <= 10**18:
        raise RuleViolation(_t("No decision of this organisation has this number."), field)
    return number


def mandate(actor, organisation):
    """The actor's current term granting ``represent_in_networks`` over the whole organisation."""
    from tribune.lib.errors import NotPermitted
    from tribune.offices.rules import mandate_for

    if actor is None or actor.organisation_id != organisation.pk:
        raise NotPermitted(_t("Only members of this organisation can act for it."))
    return mandate_for(actor, POWER, None)


def check(organisation, actor, kind: str, ref=None) -> tuple[Decision, object]:
    """The decision ``kind``/``ref`` of ``organisation``, verified, and the actor's term.

    Refuses (naming the field) a decision that is not certified, not passed or
    carried, or not this organisation's own.
    """
    term = mandate(actor, organisation)
    if kind == DecisionKind.REFERENDUM:
        from tribune.elections.models import Election, Kind, Status

        election = Election.objects.filter(pk=_ref(ref, "decision"), organisation=organisation)
        election = election.select_related("electorate").first()
        if election is None or election.kind != Kind.REFERENDUM or election.faction_id:
            raise RuleViolation(
                _t("No referendum of this organisation has this number."), "decision"
            )
        if election.electorate.parent_id is not None:
            raise RuleViolation(
                _t("Only a referendum of the whole membership decides for the organisation."),
                "decision",
            )
        if election.status != Status.CERTIFIED:
            raise RuleViolation(_t("This referendum's result is not certified yet."), "decision")
        if not election.passed:
            raise RuleViolation(_t("This referendum did not pass."), "decision")
        decision = Decision(
            kind=kind,
            uri=f"{_site()}/id/election/{organisation.uid}/{election.pk}",
            title=election.title,
            decided_at=election.voting_close_at.isoformat(),
            organisation_uri=organisation.uri,
        )
    elif kind == DecisionKind.MOTION:
        from tribune.assemblies.models import Motion

        motion = (
            Motion.objects.filter(pk=_ref(ref, "decision"), assembly__organisation=organisation)
            .select_related("assembly__branch")
            .first()
        )
        if motion is None:
            raise RuleViolation(_t("No motion of this organisation has this number."), "decision")
        if motion.assembly.branch.parent_id is not None:
            raise RuleViolation(
                _t("Only a congress of the whole organisation decides for it."), "decision"
            )
        if motion.status != Motion.Status.ADOPTED:
            raise RuleViolation(_t("This motion was not carried."), "decision")
        vote = motion.votes.select_related("election").order_by("-pk").first()
        decided = vote.election.voting_close_at if vote else motion.tabled_at
        decision = Decision(
            kind=kind,
            uri=f"{_site()}/id/motion/{organisation.uid}/{motion.pk}",
            title=motion.title,
            decided_at=min(decided, timezone.now()).isoformat(),
            organisation_uri=organisation.uri,
        )
    elif kind == DecisionKind.MANDATE:
        decision = Decision(
            kind=kind,
            uri=f"{_site()}/id/act/{uuid.uuid4()}",
            title=_t("Decided by %(office)s under its mandate") % {"office": term.office.title},
            decided_at=timezone.now().isoformat(),
            organisation_uri=organisation.uri,
        )
    else:
        raise RuleViolation(_t("Choose one of the listed kinds of decision."), "decision_kind")
    return decision, term


def use(decision: Decision, act: str) -> None:
    """Record that ``decision`` was cited for ``act``; a decision already cited is refused."""
    try:
        decided_at = datetime.fromisoformat(decision.decided_at)
    except (TypeError, ValueError):
        raise RuleViolation(_t("Give the decision's date."), "decision") from None
    if decision.kind not in DecisionKind.values:
        raise RuleViolation(_t("Choose one of the listed kinds of decision."), "decision_kind")
    try:
        with transaction.atomic():
            Cited.objects.create(
                uri=decision.uri[:500],
                organisation_uri=decision.organisation_uri[:500],
                kind=decision.kind,
                title=decision.title[:300],
                decided_at=decided_at,
                act=act[:300],
            )
    except IntegrityError:
        raise RuleViolation(
            _t("This decision has already been cited for another act: cite a fresh decision."),
            "decision",
        ) from None


def from_values(values: dict, organisation_uri: str) -> Decision:
    """A decision received from another server (plain values), checked for shape only."""
    if not isinstance(values, dict):
        raise RuleViolation(_t("Give the decision."), "decision")
    fields = {k: values.get(k) for k in ("kind", "uri", "title", "decided_at")}
    if not all(isinstance(v, str) and v for v in fields.values()):
        raise RuleViolation(_t("Give the decision's kind, URI, title and date."), "decision")
    if values.get("organisation_uri", organisation_uri) != organisation_uri:
        raise RuleViolation(_t("A decision must be the organisation's own."), "decision")
    return Decision(organisation_uri=organisation_uri, **fields)
