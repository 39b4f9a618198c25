"""Networks: founding one, inviting, joining and leaving — each by the member's own decision.

Two layers, so the federation can drive the same rules from another server:

* **actor functions** (``found_network``, ``invite``, ``join``, ``leave``, ``endorse``)
  take the acting member of an organisation on this server, check their
  mandate and the cited decision (``tribune.networks.decisions``), log the act
  in *that organisation's* audit chain, then call the record function;
* **record functions** (``record_invitation``, ``record_join``,
  ``record_leave``, ``record_endorsement``) take plain values — URIs, names, a
  decision as a dict — and apply the network's rules. An inbox handler calls
  them for acts taken on other servers.

Networks may contain networks. A network joins another only by its own
decision: its member organisations endorse it under its charter's rule (one
organisation one vote: more than half of them; weighted by membership: more
than half of their members; consensus: every one), each endorsement citing that
organisation's decision. A cycle — a network inside itself, at any depth — is
refused here.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.networks import decisions
from tribune.networks.common import (
    by_uri,
    clean_uri,
    forward,
    good_standing_count,
    local_organisation,
    mint,
)
from tribune.networks.common import name as clean_name
from tribune.networks.models import (
    DecisionRule,
    MemberKind,
    Membership,
    MembershipState,
    Network,
)
from tribune.struggles.services.common import text

SLUG_MAX = 50


def _slug(value) -> str:
    from django.core.validators import validate_slug

    if not isinstance(value, str) or not value or len(value) > SLUG_MAX:
        raise RuleViolation(_t("Give a short name: letters, digits and hyphens."), "slug")
    try:
        validate_slug(value)
    except Exception:
        raise RuleViolation(_t("Give a short name: letters, digits and hyphens."), "slug") from None
    return value


# --- reading -------------------------------------------------------------------------------


def members_of(network: Network):
    return network.memberships.filter(state=MembershipState.MEMBER)


def is_member(network: Network, organisation) -> bool:
    return members_of(network).filter(member_uri=organisation.uri).exists()


def contained(network_uri: str) -> set[str]:
    """Every network inside ``network_uri``, at any depth (as far as this server knows)."""
    seen: set[str] = set()
    frontier = {network_uri}
    while frontier:
        rows = Membership.objects.filter(
            network__uri__in=frontier,
            kind=MemberKind.NETWORK,
            state__in=[MembershipState.MEMBER, MembershipState.INVITED],
        ).values_list("member_uri", flat=True)
        frontier = set(rows) - seen
        seen |= frontier
    return seen


def _refuse_cycle(parent_uri: str, child_uri: str) -> None:
    if parent_uri == child_uri:
        raise RuleViolation(_t("A network cannot contain itself."), "member")
    if parent_uri in contained(child_uri):
        raise RuleViolation(
            _t("This network already contains that one: a network cannot contain itself."),
            "member",
        )


def _acting_member(actor, organisation, network: Network):
    """An officer of a member organisation, under ``represent_in_networks``."""
    term = decisions.mandate(actor, organisation)
    if not is_member(network, organisation):
        raise NotPermitted(_t("Only organisations in this network can do this."))
    return term


# --- record functions (plain values; the federation calls these) ---------------------------


@transaction.atomic
def record_invitation(
    network_uri: str, member_uri: str, member_name: str, kind: str, invited_by_uri: str
) -> Membership:
    """``invited_by_uri`` (a member organisation) invites an organisation or a network."""
    network = Network.objects.select_for_update().get(pk=by_uri(Network, network_uri).pk)
    clean_uri(member_uri, "member")
    if kind not in MemberKind.values:
        raise RuleViolation(_t("Choose an organisation or a network."), "kind")
    if not members_of(network).filter(member_uri=invited_by_uri).exists():
        raise NotPermitted(_t("Only organisations in this network can invite."))
    member_network = None
    organisation = None
    if kind == MemberKind.NETWORK:
        _refuse_cycle(network.uri, member_uri)
        member_network = Network.objects.filter(uri=member_uri).first()
    else:
        organisation = local_organisation(member_uri)
    existing = network.memberships.filter(member_uri=member_uri).first()
    if existing is not None and existing.state != MembershipState.LEFT:
        raise RuleViolation(_t("Already invited or a member."), "member")
    membership, _created = Membership.objects.update_or_create(
        network=network,
        member_uri=member_uri,
        defaults={
            "member_name": clean_name(member_name, "member"),
            "kind": kind,
            "organisation": organisation,
            "member_network": member_network,
            "state": MembershipState.INVITED,
            "invited_by_uri": invited_by_uri,
            "invited_at": timezone.now(),
            "joined_at": None,
            "left_at": None,
            "join_decision": None,
            "leave_decision": None,
        },
    )
    return membership


@transaction.atomic
def record_join(network_uri: str, member_uri: str, decision: dict, *, size: int = 0) -> Membership:
    """An invited organisation joins, citing its decision (already checked on its server)."""
    network = Network.objects.select_for_update().get(pk=by_uri(Network, network_uri).pk)
    membership = network.memberships.filter(member_uri=member_uri).first()
    if membership is None or membership.state != MembershipState.INVITED:
        raise RuleViolation(_t("Only an invited organisation can join."), "network")
    if membership.kind == MemberKind.NETWORK:
        raise RuleViolation(_t("A network joins by the endorsement of its own members."), "network")
    cited = decisions.from_values(decision, member_uri)
    decisions.use(cited, f"join {network.uri}")
    membership.state = MembershipState.MEMBER
    membership.joined_at = timezone.now()
    membership.join_decision = cited.as_dict()
    membership.size = max(0, int(size))
    membership.save()
    return membership


@transaction.atomic
def record_leave(network_uri: str, member_uri: str, decision: dict) -> Membership:
    """A member leaves by its own decision; no one else can take it out."""
    network = Network.objects.select_for_update().get(pk=by_uri(Network, network_uri).pk)
    membership = members_of(network).filter(member_uri=member_uri).first()
    if membership is None:
        raise RuleViolation(_t("Only a member can leave."), "network")
    if membership.kind == MemberKind.ORGANISATION:
        cited = decisions.from_values(decision, member_uri)
        decisions.use(cited, f"leave {network.uri}")
        membership.leave_decision = cited.as_dict()
    else:
        membership.leave_decision = decision
    membership.state = MembershipState.LEFT
    membership.left_at = timezone.now()
    membership.save()
    return membership


@transaction.atomic
def record_endorsement(
    network_uri: str, act: str, organisation_uri: str, decision: dict, *, size: int = 0
) -> dict:
    """A member organisation of ``network_uri`` endorses the network's joining or leaving
    another (``act``: "join <parent uri>" or "leave <parent uri>"), citing its decision.

    When the endorsements carry under the network's rule, the act is done.
    Returns {"carried": bool, "endorsed": n, "needed": description}.
    """
    from tribune.networks.models import Cited

    network = Network.objects.select_for_update().get(pk=by_uri(Network, network_uri).pk)
    verb, _space, parent_uri = (act or "").partition(" ")
    if verb not in ("join", "leave") or not parent_uri:
        raise RuleViolation(_t("Say whether the network joins or leaves, and which."), "act")
    parent = by_uri(Network, parent_uri, "act")
    membership = parent.memberships.filter(member_uri=network.uri).first()
    wanted = MembershipState.INVITED if verb == "join" else MembershipState.MEMBER
    if membership is None or membership.state != wanted:
        raise RuleViolation(
            _t("This network is not invited to join that one.")
            if verb == "join"
            else _t("This network is not in that one."),
            "act",
        )
    if verb == "join":
        _refuse_cycle(parent.uri, network.uri)
    voter = members_of(network).filter(member_uri=organisation_uri).first()
    if voter is None:
        raise NotPermitted(_t("Only organisations in this network decide for it."))
    if voter.size != size and size:
        voter.size = size
        voter.save(update_fields=["size"])
    cited = decisions.from_values(decision, organisation_uri)
    key = f"{act} by {network.uri}"
    decisions.use(cited, key)
    endorsers = set(Cited.objects.filter(act=key).values_list("organisation_uri", flat=True))
    carried, needed = _carries(network, endorsers)
    if carried:
        values = {
            "parent_uri": parent.uri,
            "member_uri": network.uri,
            "act": verb,
            "endorsed_by": sorted(endorsers),
        }
        if parent.home:
            record_network_decision(**values)
        else:  # the parent is decided on another server: the network's decision goes there
            forward.send(sender=Network, target_uri=parent.uri, action="network", values=values)
    return {"carried": carried, "endorsed": len(endorsers), "needed": needed}


@transaction.atomic
def record_network_decision(
    parent_uri: str, member_uri: str, act: str, endorsed_by: list
) -> Membership:
    """A member network's own decision, carried by its organisations' endorsements on its
    home server, to join (it was invited) or leave ``parent_uri``. The federation calls
    this for a network whose home is the sending server."""
    parent = Network.objects.select_for_update().get(pk=by_uri(Network, parent_uri).pk)
    if act not in ("join", "leave"):
        raise RuleViolation(_t("Say whether the network joins or leaves, and which."), "act")
    membership = parent.memberships.filter(member_uri=member_uri, kind=MemberKind.NETWORK).first()
    wanted = MembershipState.INVITED if act == "join" else MembershipState.MEMBER
    if membership is None or membership.state != wanted:
        raise RuleViolation(
            _t("This network is not invited to join that one.")
            if act == "join"
            else _t("This network is not in that one."),
            "act",
        )
    if act == "join":
        _refuse_cycle(parent.uri, member_uri)
    if not isinstance(endorsed_by, list) or not all(isinstance(u, str) for u in endorsed_by):
        raise RuleViolation(_t("Name the organisations that decided."), "endorsed_by")
    now = timezone.now()
    if act == "join":
        membership.state, membership.joined_at = MembershipState.MEMBER, now
        membership.join_decision = {"endorsed_by": sorted(endorsed_by)[:200]}
    else:
        membership.state, membership.left_at = MembershipState.LEFT, now
        membership.leave_decision = {"endorsed_by": sorted(endorsed_by)[:200]}
    membership.save()
    return membership


def current_size(membership: Membership) -> int:
    """A member organisation's weight: its members in good standing now if it is on this
    server; otherwise the count its server reported with its latest act (joining,
    endorsing, or ``record_size``)."""
    if membership.organisation_id is not None:
        return good_standing_count(membership.organisation)
    return membership.size


@transaction.atomic
def record_size(network_uri: str, member_uri: str, size: int) -> Membership:
    """A member organisation's count of members in good standing, reported by its server
    (for a network weighted by membership): the number only."""
    network = Network.objects.select_for_update().get(pk=by_uri(Network, network_uri).pk)
    membership = members_of(network).filter(member_uri=member_uri).first()
    if membership is None:
        raise RuleViolation(_t("Only a member can report its size."), "network")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= 100_000_000:
        raise RuleViolation(_t("Give a number of members."), "size")
    membership.size = size
    membership.save(update_fields=["size"])
    return membership


def report_sizes() -> int:
    """Tell the home server of each weighted network decided elsewhere the current number
    of members in good standing of this server's member organisations, when it changed
    (the clock runs this hourly). The number only; never who."""
    sent = 0
    rows = Membership.objects.filter(
        network__home=False,
        network__decision_rule=DecisionRule.WEIGHTED,
        state=MembershipState.MEMBER,
        organisation__isnull=False,
    ).select_related("network", "organisation")
    for membership in rows:
        size = good_standing_count(membership.organisation)
        if size == membership.size:
            continue
        values = {"network_uri": membership.network.uri, "member_uri": membership.member_uri}
        try:
            with transaction.atomic():
                Membership.objects.filter(pk=membership.pk).update(size=size)
                _forward_if_away(membership.network, "size", {**values, "size": size})
            sent += 1
        except RuleViolation:  # no active link with its home: the next run tries again
            continue
    return sent


def _carries(network: Network, endorsers: set[str]) -> tuple[bool, str]:
    """Whether ``endorsers`` carry a decision of ``network`` under its charter's rule."""
    members = list(
        members_of(network).filter(kind=MemberKind.ORGANISATION).select_related("organisation")
    )
    if network.decision_rule == DecisionRule.CONSENSUS:
        return all(m.member_uri in endorsers for m in members), _t("every member organisation")
    if network.decision_rule == DecisionRule.WEIGHTED:
        sizes = {m.member_uri: current_size(m) for m in members}
        total = sum(sizes.values())
        yes = sum(size for uri, size in sizes.items() if uri in endorsers)
        return 2 * yes > total, _t("more than half of the members of its organisations")
    yes = sum(1 for m in members if m.member_uri in endorsers)
    return 2 * yes > len(members), _t("more than half of its organisations")


def _forward_if_away(network: Network, action: str, values: dict) -> bool:
    if network.home:
        return False
    forward.send(sender=Network, target_uri=network.uri, action=action, values=values)
    return True


# --- actor functions (an officer of an organisation on this server) ------------------------


@transaction.atomic
def found_network(
    actor,
    organisation,
    *,
    name: str,
    slug: str,
    purpose: str,
    decision_rule: str,
    decision_kind: str,
    decision_ref=None,
) -> Network:
    """Found a network; the founding organisation is its first member, by its own decision."""
    decision, term = decisions.check(organisation, actor, decision_kind, decision_ref)
    if decision_rule not in DecisionRule.values:
        raise RuleViolation(_t("Choose one of the listed ways of deciding."), "decision_rule")
    slug = _slug(slug)
    if Network.objects.filter(slug=slug).exists():
        raise RuleViolation(_t("Another network has this short name."), "slug")
    network = Network(
        slug=slug,
        name=clean_name(name),
        purpose=text(purpose, field="purpose", max_length=5000, one_line=False),
        decision_rule=decision_rule,
        founded_by_uri=organisation.uri,
    )
    network.uri = mint("network", network.uid)
    network.save()
    decisions.use(decision, f"found {network.uri}")
    Membership.objects.create(
        network=network,
        member_uri=organisation.uri,
        member_name=organisation.name,
        kind=MemberKind.ORGANISATION,
        organisation=organisation,
        state=MembershipState.MEMBER,
        joined_at=timezone.now(),
        join_decision=decision.as_dict(),
        size=good_standing_count(organisation),
    )
    record(
        organisation,
        "network.founded",
        actor=actor,
        term=term,
        target=network,
        data={"network": network.uri, "name": network.name, "decision": decision.as_dict()},
    )
    return network


@transaction.atomic
def invite(
    actor,
    organisation,
    network: Network,
    *,
    member_uri: str,
    member_name: str = "",
    kind: str = MemberKind.ORGANISATION,
) -> Membership:
    """An officer of a member organisation invites an organisation or a network (by URI)."""
    term = _acting_member(actor, organisation, network)
    clean_uri(member_uri, "member")
    if not member_name:
        known = local_organisation(member_uri) or Network.objects.filter(uri=member_uri).first()
        member_name = known.name if known is not None else ""
    if not member_name:
        raise RuleViolation(_t("Give the name of the organisation or network."), "member_name")
    values = {
        "network_uri": network.uri,
        "member_uri": member_uri,
        "member_name": member_name,
        "kind": kind,
        "invited_by_uri": organisation.uri,
    }
    membership = None
    if not _forward_if_away(network, "invite", values):
        membership = record_invitation(**values)
    record(
        organisation,
        "network.invited",
        actor=actor,
        term=term,
        target=network,
        data={"network": network.uri, "member": member_uri, "name": member_name},
    )
    return membership


@transaction.atomic
def join(actor, organisation, network: Network, *, decision_kind: str, decision_ref=None):
    """``organisation`` joins ``network`` by its own decision, carried out by its officer."""
    decision, term = decisions.check(organisation, actor, decision_kind, decision_ref)
    membership = network.memberships.filter(member_uri=organisation.uri).first()
    if membership is None or membership.state != MembershipState.INVITED:
        raise RuleViolation(_t("Only an invited organisation can join."), "network")
    values = {
        "network_uri": network.uri,
        "member_uri": organisation.uri,
        "decision": decision.as_dict(),
        "size": good_standing_count(organisation),
    }
    if network.home:
        membership = record_join(**values)
    else:  # decided elsewhere: the decision is used up here, then the act is sent there
        decisions.use(decision, f"join {network.uri}")
        _forward_if_away(network, "join", values)
    record(
        organisation,
        "network.joined",
        actor=actor,
        term=term,
        target=network,
        data={"network": network.uri, "decision": decision.as_dict()},
    )
    return membership


@transaction.atomic
def leave(actor, organisation, network: Network, *, decision_kind: str, decision_ref=None):
    """``organisation`` leaves ``network`` by its own decision; the network has no say."""
    decision, term = decisions.check(organisation, actor, decision_kind, decision_ref)
    values = {
        "network_uri": network.uri,
        "member_uri": organisation.uri,
        "decision": decision.as_dict(),
    }
    membership = None
    if network.home:
        membership = record_leave(**values)
    else:  # decided elsewhere: the decision is used up here, then the act is sent there
        decisions.use(decision, f"leave {network.uri}")
        _forward_if_away(network, "leave", values)
    record(
        organisation,
        "network.left",
        actor=actor,
        term=term,
        target=network,
        data={"network": network.uri, "decision": decision.as_dict()},
    )
    return membership


@transaction.atomic
def endorse(
    actor,
    organisation,
    network: Network,
    *,
    act: str,
    parent: Network,
    decision_kind: str,
    decision_ref=None,
) -> dict:
    """``organisation`` (a member of ``network``) endorses its joining or leaving ``parent``."""
    if act not in ("join", "leave"):
        raise RuleViolation(_t("Say whether the network joins or leaves."), "act")
    decision, term = decisions.check(organisation, actor, decision_kind, decision_ref)
    if not is_member(network, organisation):
        raise NotPermitted(_t("Only organisations in this network decide for it."))
    values = {
        "network_uri": network.uri,
        "act": f"{act} {parent.uri}",
        "organisation_uri": organisation.uri,
        "decision": decision.as_dict(),
        "size": good_standing_count(organisation),
    }
    if network.home:
        outcome = record_endorsement(**values)
    else:  # the network decides on its home server: the decision is used up here, sent there
        decisions.use(decision, f"{values['act']} by {network.uri}")
        _forward_if_away(network, "endorse", values)
        outcome = {"carried": False, "endorsed": None, "needed": ""}
    record(
        organisation,
        "network.endorsed",
        actor=actor,
        term=term,
        target=network,
        data={
            "network": network.uri,
            "act": act,
            "other": parent.uri,
            "decision": decision.as_dict(),
            "carried": outcome["carried"],
        },
    )
    return outcome


def delegates(network: Network) -> list[dict]:
    """Each member organisation's delegate offices and their current holders.

    A delegate is an office of the member organisation — in its constitution's
    structure, with a mandate, a term and recall like every office — whose
    mandate grants ``represent_in_networks``; the network appoints no one. For
    a member on another server only its name is known here. (Three queries,
    however many members.)
    """
    from tribune.offices.models import Office, Term

    members = list(members_of(network).select_related("organisation"))
    local = {m.organisation_id for m in members if m.organisation_id}
    offices = [
        office
        for office in Office.objects.filter(
            body__organisation_id__in=local,
            abolished_at__isnull=True,
            body__abolished_at__isnull=True,
            body__faction__isnull=True,
        ).select_related("body")
        if decisions.POWER in office.powers
    ]
    holders: dict[int, list[dict]] = {}
    terms = Term.objects.current().filter(office__in=offices).select_related("member")
    for term in terms.order_by("ends_at"):
        holders.setdefault(term.office_id, []).append(
            {"name": term.member.name, "until": term.ends_at}
        )
    by_organisation: dict[int, list[dict]] = {}
    for office in offices:
        by_organisation.setdefault(office.body.organisation_id, []).append(
            {
                "office": office.title,
                "body": office.body.name,
                "mandate": office.mandate,
                "holders": holders.get(office.pk, []),
            }
        )
    return [
        {"membership": m, "offices": by_organisation.get(m.organisation_id, [])} for m in members
    ]


def networks_of(organisation):
    """The networks ``organisation`` is in or invited to (for its page)."""
    return Membership.objects.filter(member_uri=organisation.uri).select_related("network")
