"""The steps every election takes: its status moved and recorded, its voter roll frozen,
and the one mandate that may take a step by hand, its returning officer's.
"""

from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.elections.models import Election, Status, VoterRoll
from tribune.elections.services.electorates import electorate
from tribune.lib.errors import NotPermitted
from tribune.members.models import Member
from tribune.offices.models import Term


def _move(election: Election, to: str, *, actor=None, term=None, data=None) -> None:
    was = election.status
    election.status = to
    election.save(update_fields=["status"])
    record(
        election.organisation,
        f"election.{to}",
        actor=actor,
        term=term,
        target=election,
        data={"from": was, **(data or {})},
    )


def _open_voting(election: Election) -> None:
    """Freeze the voter roll: members in good standing of the electorate at this moment."""
    members = list(electorate(election).values_list("id", flat=True))
    VoterRoll.objects.bulk_create(
        [VoterRoll(election=election, member_id=m) for m in members], ignore_conflicts=True
    )
    election.electorate_size = len(members)
    election.save(update_fields=["electorate_size"])
    _move(election, Status.VOTING, data={"electorate": len(members)})


def _returning_term(actor: Member | None, election: Election) -> Term:
    if election.returning_office_id is None:
        raise NotPermitted(_t("This election is run by rule; it has no returning officer."))
    term = (
        Term.objects.current().filter(office_id=election.returning_office_id, member=actor).first()
        if actor is not None
        else None
    )
    if term is None or not actor.in_good_standing:
        raise NotPermitted(_t("Only this election's returning officer can do this."))
    return term
