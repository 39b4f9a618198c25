"""Cancelling an election: by its returning officer or whoever may call it, with a
written reason; or by rule when the constitution abolishes the office.
"""

from django.db import transaction
from django.utils.translation import gettext as _t

from tribune.elections.models import Election, Kind, Status
from tribune.elections.services.steps import _move, _returning_term
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.models import Member
from tribune.offices.models import Term
from tribune.offices.rules import mandate_for


def _cancelling_term(actor: Member, election: Election) -> Term:
    """Besides its returning officer, who may cancel a vote: only whoever may call it.

    A faction's elections are its own (its officers, never the organisation's);
    a recall vote, a faction's dissolution and a vote in the hall are not called
    by a mandate, so no mandate cancels them either.
    """
    if election.kind == Kind.RECALL:
        raise NotPermitted(
            _t("A recall vote cannot be cancelled: the petition's signers called it.")
        )
    if election.kind == Kind.DISSOLUTION:
        raise NotPermitted(
            _t("A faction's dissolution is its members' vote: no one can cancel it.")
        )
    if election.kind == Kind.ASSEMBLY:
        raise NotPermitted(_t("A vote at an assembly is the chair's, in the hall."))
    if election.faction_id is not None:
        from tribune.factions.rules import faction_term

        return faction_term(actor, election.faction)
    return mandate_for(actor, "call_elections", election.electorate)


def may_cancel(member: Member | None, election: Election) -> bool:
    """Whether ``member`` may cancel ``election`` now (for pages that offer the button)."""
    if member is None or election.status in (Status.COUNTED, Status.CERTIFIED, Status.CANCELLED):
        return False
    for mandate in (_returning_term, _cancelling_term):
        try:
            mandate(member, election)
        except NotPermitted:
            continue
        return True
    return False


@transaction.atomic
def cancel_election(actor: Member, election: Election, reason: str) -> Election:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_t("A written reason is required."), "reason")
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status in (Status.COUNTED, Status.CERTIFIED, Status.CANCELLED):
        raise RuleViolation(_t("This election is finished and cannot be cancelled."))
    try:
        term = _returning_term(actor, election)
    except NotPermitted:
        term = _cancelling_term(actor, election)
    election.cancelled_reason = reason
    election.save(update_fields=["cancelled_reason"])
    _move(election, Status.CANCELLED, actor=actor, term=term, data={"reason": reason})
    return election


def cancel_for_abolished_offices(sender, *, version, abolished, **kwargs) -> None:
    """An office the constitution abolished is not elected: its unfinished elections end."""
    reason = _t("The office was abolished by constitution version %(n)s.") % {"n": version.number}
    for election in Election.objects.filter(office__in=abolished).exclude(
        status__in=[Status.COUNTED, Status.CERTIFIED, Status.CANCELLED]
    ):
        election.cancelled_reason = reason
        election.save(update_fields=["cancelled_reason"])
        _move(election, Status.CANCELLED, data={"reason": reason, "by_rule": True})
