"""Changing the constitution's structure: by the provisional committee, or by the members.

While the provisional committee may still set up the first structure
(``constitution.services.set_up_structure``) its changes take effect at once,
provisionally; otherwise a change to the structure is an amendment, put to the
members in a referendum by a mandate to call votes (or tabled at a congress as
a motion, ``assemblies.services.table_motion``). The clock puts a provisional
structure to the members in time for their vote to finish before it lapses.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.constitution import services as constitution_services
from tribune.elections.models import Election, Kind
from tribune.elections.services import call_election
from tribune.lib.clock import each_alone
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.models import Member
from tribune.offices.rules import has_power, mandate_for


def put_structure_to_members(actor: Member | None, organisation, *, starts_at=None) -> Election:
    """A referendum on adopting the provisional committee's structure as it stands.

    Called by a mandate to call elections, or by the clock (actor None) in time
    for the vote to finish before the structure would lapse.
    """
    if actor is not None:
        mandate_for(actor, "call_elections")  # who asks first: the state is told after
    current = organisation.current_constitution()
    if current.structure_provisional_until is None:
        raise RuleViolation(_t("The members have already adopted this structure."), "structure")
    if constitution_services.structure_vote_pending(organisation):
        raise RuleViolation(_t("The structure is already before the members."), "structure")
    return call_election(
        actor,
        kind=Kind.AMENDMENT,
        title=_t("Adopt the organisation's structure"),
        question=_t(
            "Do you adopt the bodies and offices the provisional committee set up, as "
            "constitution version %(n)s describes them? If not, they lapse when the "
            "provisional period ends."
        )
        % {"n": current.number},
        amendment={"structure": current.structure},
        electorate_branch=organisation.root_branch,
        starts_at=starts_at,
    )


def confirm_structures_in_time(now=None) -> list[Election]:
    """The clock: put every provisional structure to the members before it would lapse."""

    now = now or timezone.now()
    due = []
    for organisation in constitution_services.with_provisional_structure():
        current = organisation.current_constitution()
        until = current.structure_provisional_until if current else None
        if until is None or not current.structure:
            continue
        if until - now <= timedelta(days=current.voting_days + 1):
            if not constitution_services.structure_vote_pending(organisation):
                due.append(organisation)
    return each_alone(
        due, lambda o: put_structure_to_members(None, o, starts_at=now), what="organisation"
    )


def how_member_changes_structure(member: Member | None, organisation) -> str | None:
    """ "provisional" (the committee sets it up now), "referendum", or None (may not)."""
    if member is None or not member.in_good_standing:
        return None
    if constitution_services.structure_problem(organisation) is None:
        try:
            constitution_services.provisional_committee_term(member, organisation)
            return "provisional"
        except NotPermitted:
            pass
    if has_power(member, "call_elections"):
        return "referendum"
    return None


def change_structure(actor: Member, organisation, structure: list, *, summary: str):
    """Set up the structure provisionally, or put the change to the members' vote.

    Returns the new ConstitutionVersion, or the Election that will decide it.
    """
    try:
        return _change_structure(actor, organisation, structure, summary=summary)
    except RuleViolation as exc:
        if exc.field == "amendment":  # what the member sent is the structure
            raise RuleViolation(exc.message, "structure") from None
        raise


def _change_structure(actor: Member, organisation, structure: list, *, summary: str):
    how = how_member_changes_structure(actor, organisation)
    if how == "provisional":
        return constitution_services.set_up_structure(
            actor, organisation, structure, summary=summary
        )
    if how is None:
        raise NotPermitted(
            _t(
                "Only the provisional committee, or an office whose mandate includes calling "
                "votes, can propose a change to the structure."
            )
        )
    return call_election(
        actor,
        kind=Kind.AMENDMENT,
        title=_t("Amend the structure: %(summary)s") % {"summary": summary},
        question=_t(
            "Do you adopt this change to the organisation's bodies and offices: %(summary)s?"
        )
        % {"summary": summary},
        amendment={"structure": structure},
        electorate_branch=organisation.root_branch,
    )
