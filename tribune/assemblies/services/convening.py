"""Convening an assembly and who sits in it, from its chair to its closing.

Delegations, elections of delegates and of the congress's offices, seating,
substitutes, transferred votes and proxies. The chair's mandate (``chair_term``)
that every other subject checks lives here.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.assemblies import apportionment, sessions
from tribune.assemblies.models import AgendaItem, Assembly, Participant, Proxy
from tribune.assemblies.services.common import _event
from tribune.audit.log import record
from tribune.elections import services as elections
from tribune.elections.models import Election, Status
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.lib.inputs import MAX_SEATS, check_moment, check_whole_number
from tribune.members.models import Member, Standing
from tribune.offices.models import Body, BodyKind, Office, Term
from tribune.offices.rules import mandate_for
from tribune.offices.services import single_use_office


@transaction.atomic
def convene(
    actor: Member,
    branch,
    *,
    title: str,
    kind: str,
    starts_at,
    ends_at,
    motions_deadline,
    chair: Member,
    **standing_orders,
) -> Assembly:
    """Convene an assembly of ``branch`` and seat its chair in an office for it alone."""
    term = mandate_for(actor, "convene_assemblies", branch)
    for field, moment in (
        ("starts_at", starts_at),
        ("ends_at", ends_at),
        ("motions_deadline", motions_deadline),
    ):
        check_moment(moment, field=field)  # the chair's office runs to ends_at + 1 day
    seats = standing_orders.get("delegate_seats") or 0
    check_whole_number(seats, field="delegate_seats", low=0, high=MAX_SEATS)
    if not (motions_deadline <= starts_at < ends_at):
        raise RuleViolation(
            _t("The motions deadline comes before the assembly, which starts before it ends."),
            "starts_at",
        )
    if kind not in Assembly.Kind.values:
        raise RuleViolation(_t("Choose a kind of assembly."), "kind")
    sessions.check_standing_orders(branch.organisation, standing_orders)
    assembly = Assembly.objects.create(
        organisation=branch.organisation,
        branch=branch,
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        motions_deadline=motions_deadline,
        **standing_orders,
    )
    office = single_use_office(
        branch.organisation,
        body_slug="assembly-chairs",
        body_name=_t("Assembly chairs"),
        title=_t("Chair: %(title)s") % {"title": title},
        mandate=_t(
            "Chair this assembly under its standing orders: keep the agenda and the list of "
            "speakers fairly, open and close votes, and have the minutes published."
        ),
        holder=chair,
        until=ends_at + timedelta(days=1),
    )
    assembly.chair_office = office
    assembly.save(update_fields=["chair_office"])
    record(
        branch.organisation,
        "assembly.convened",
        actor=actor,
        term=term,
        target=assembly,
        data={"kind": kind, "chair": chair.pk},
    )
    return assembly


def chair_term(member: Member | None, assembly: Assembly) -> Term:
    term = (
        Term.objects.current().filter(office=assembly.chair_office, member=member).first()
        if member is not None and assembly.chair_office_id
        else None
    )
    if term is None or not member.in_good_standing:
        raise NotPermitted(_t("Only the chair of this assembly can do this."))
    return term


def unit_members(assembly: Assembly):
    return Member.objects.filter(
        organisation=assembly.organisation,
        standing=Standing.GOOD,
        home_branch_id__in=assembly.branch.subtree_ids(),
    )


def delegations(assembly: Assembly) -> dict:
    """Seats per local branch (branches with no branch below them), by the stated method."""
    subtree = assembly.branch.subtree_ids()
    branches = [b for b in assembly.organisation.branches.filter(pk__in=subtree)]
    parents = {b.parent_id for b in branches}
    local = [b for b in branches if b.pk not in parents] or [assembly.branch]
    counts = {}
    for branch in local:
        counts[branch] = Member.objects.filter(
            standing=Standing.GOOD, home_branch_id__in=branch.subtree_ids()
        ).count()
    seats = apportionment.METHODS[assembly.apportionment](
        {b.slug: n for b, n in counts.items()}, assembly.delegate_seats
    )
    return {b: (counts[b], seats[b.slug]) for b in local}


@transaction.atomic
def call_delegate_elections(actor: Member, assembly: Assembly) -> list[Election]:
    """Each branch elects its delegates (proportional, by STV where several)."""
    chair_term(actor, assembly)
    if assembly.kind != Assembly.Kind.DELEGATES:
        raise RuleViolation(_t("A general assembly has no delegates to elect."))
    called = []
    constitution = assembly.organisation.current_constitution()
    for branch, (members, seats) in delegations(assembly).items():
        if not seats:
            continue
        body = Body.objects.create(
            organisation=assembly.organisation,
            branch=branch,
            name=_t("Delegation of %(branch)s to %(assembly)s")
            % {"branch": branch.name, "assembly": assembly.title},
            slug=f"delegation-{assembly.pk}-{branch.slug}"[:50],
            kind=BodyKind.DELEGATION,
        )
        days = max(1, min((assembly.ends_at - timezone.now()).days + 2, constitution.max_term_days))
        office = Office.objects.create(
            body=body,
            title=_t("Delegate"),
            mandate=_t(
                "Represent the branch's %(n)s members at %(assembly)s, report back to them, "
                "and vote as the branch has debated."
            )
            % {"n": members, "assembly": assembly.title},
            term_days=days,
            seats=seats,
        )
        called.append(elections.call_election(None, office=office))
    return called


@transaction.atomic
def call_congress_elections(actor: Member, assembly: Assembly) -> list[Election]:
    """The chair calls the elections the structure gives to a congress.

    For every office a congress elects whose seats are not filled beyond the
    congress's end and the lead time: nominations open now and close when the
    congress opens, and its participants vote while it sits.
    """
    term = chair_term(actor, assembly)
    if assembly.branch.parent_id is not None:
        raise RuleViolation(_t("Only a congress of the whole organisation elects these offices."))
    if timezone.now() >= assembly.starts_at - timedelta(hours=1):
        raise RuleViolation(
            _t("Call the congress's elections before it opens: nominations close when it does.")
        )
    constitution = assembly.organisation.current_constitution()
    called = []
    offices = Office.objects.filter(
        body__organisation=assembly.organisation,
        electorate_kind="congress",
        abolished_at__isnull=True,
    )
    for office in offices:
        horizon = assembly.ends_at + elections.election_lead(office, constitution)
        covered = Term.objects.filter(
            office=office, ends_at__gt=horizon, ended_at__isnull=True
        ).count()
        pending = (
            Election.objects.filter(office=office)
            .exclude(status__in=[Status.CERTIFIED, Status.CANCELLED])
            .exists()
        )
        if covered < office.seats and not pending:
            called.append(
                elections.call_congress_election(office, assembly, seats=office.seats - covered)
            )
    record(
        assembly.organisation,
        "assembly.congress_elections",
        actor=actor,
        term=term,
        target=assembly,
        data={"elections": [e.pk for e in called]},
    )
    return called


@transaction.atomic
def seat_participants(actor: Member, assembly: Assembly) -> int:
    """Fill the list of participants: every member, or the delegates in office now."""
    chair_term(actor, assembly)
    if assembly.kind == Assembly.Kind.GENERAL:
        rows = [
            Participant(assembly=assembly, member=m, delegation=m.home_branch)
            for m in unit_members(assembly)
        ]
    else:
        rows = []
        terms = (
            Term.objects.current()
            .filter(
                office__body__slug__startswith=f"delegation-{assembly.pk}-",
                office__body__organisation=assembly.organisation,
            )
            .select_related("office__body__branch", "member")
        )
        by_branch: dict = {}
        for term in terms:
            by_branch.setdefault(term.office.body.branch, []).append(term.member)
        represented = {b: n for b, (n, _s) in delegations(assembly).items()}
        for branch, delegates in by_branch.items():
            share = apportionment.largest_remainder(
                {str(d.pk): 1 for d in delegates}, represented.get(branch, 0)
            )
            for delegate in delegates:
                weight = share[str(delegate.pk)] if assembly.weighted_votes else 1
                rows.append(
                    Participant(
                        assembly=assembly, member=delegate, delegation=branch, weight=max(weight, 1)
                    )
                )
    Participant.objects.bulk_create(rows, ignore_conflicts=True)
    _event(assembly, "participants", count=assembly.participants.count())
    return len(rows)


@transaction.atomic
def add_substitute(actor: Member, delegate: Participant, member: Member) -> Participant:
    chair_term(actor, delegate.assembly)
    if member.home_branch_id not in (delegate.delegation or delegate.assembly.branch).subtree_ids():
        raise RuleViolation(_t("A substitute comes from the delegate's own branch."), "member")
    try:
        with transaction.atomic():
            return Participant.objects.create(
                assembly=delegate.assembly,
                member=member,
                delegation=delegate.delegation,
                weight=delegate.weight,
                substitute_for=delegate,
                voting=False,
            )
    except IntegrityError:
        raise RuleViolation(_t("This member already takes part.")) from None


def _no_open_vote(assembly: Assembly) -> None:
    if assembly.votes.filter(election__status=Status.VOTING).exists():
        raise RuleViolation(_t("Not while a vote is open."))


@transaction.atomic
def transfer_vote(
    delegate: Participant, to_substitute: bool, *, actor: Member | None = None
) -> Participant:
    """A delegate hands their vote to their substitute, or takes it back.

    When ``actor`` is given (a request from the web or the API), only the
    delegate themselves or the chair may do it.
    """
    if actor is not None and actor.pk != delegate.member_id:
        chair_term(actor, delegate.assembly)
    _no_open_vote(delegate.assembly)
    substitute = delegate.substitutes.first()
    if substitute is None:
        raise RuleViolation(_t("This delegate has no substitute."))
    delegate.voting, substitute.voting = not to_substitute, to_substitute
    delegate.save(update_fields=["voting"])
    substitute.save(update_fields=["voting"])
    return substitute if to_substitute else delegate


@transaction.atomic
def give_proxy(giver: Participant, holder: Participant) -> Proxy:
    assembly = giver.assembly
    if not assembly.proxies_allowed:
        raise RuleViolation(_t("The standing orders do not allow proxies."))
    if holder.assembly_id != assembly.pk or holder.pk == giver.pk:
        raise RuleViolation(_t("Give your proxy to another participant."), "holder")
    if Proxy.objects.filter(giver=holder).exists():
        raise RuleViolation(_t("That participant has given their own vote away."), "holder")
    _no_open_vote(assembly)
    Proxy.objects.filter(giver=giver).delete()
    return Proxy.objects.create(giver=giver, holder=holder)


@transaction.atomic
def revoke_proxy(giver: Participant) -> None:
    _no_open_vote(giver.assembly)
    if not Proxy.objects.filter(giver=giver).delete()[0]:
        raise RuleViolation(_t("You have not given a proxy."))


@transaction.atomic
def close_assembly(actor: Member, assembly: Assembly) -> Assembly:
    """The chair closes the assembly: no vote may open after, and the minutes are final."""
    term = chair_term(actor, assembly)
    sessions.lock_assembly(assembly)  # its status read afresh: the sitting under way ends
    _no_open_vote(assembly)
    if assembly.status == Assembly.Status.CLOSED:
        raise RuleViolation(_t("This assembly is closed."))
    sessions.end_sitting(actor, assembly, "closed")
    assembly.status = Assembly.Status.CLOSED
    assembly.save(update_fields=["status"])
    assembly.agenda.filter(status=AgendaItem.Status.CURRENT).update(status=AgendaItem.Status.DONE)
    record(assembly.organisation, "assembly.closed", actor=actor, term=term, target=assembly)
    _event(assembly, "current_item", item=None, title="")
    _event(assembly, "session", state=assembly.status)
    return assembly
