"""Who belongs to an electorate: who votes in an election, who elects and may recall an office."""

from tribune.members.models import Member, Standing
from tribune.offices.models import Office, Term


def _holders_of(body_id: int):
    """Members in good standing holding one of a body's offices now."""
    current = Term.objects.current().filter(office__body_id=body_id).values("member_id")
    return Member.objects.filter(standing=Standing.GOOD, pk__in=current)


def electorate(of):
    """Members who vote in an election, or elect and may recall an office.

    ``of`` is an Election, an Office, a Body or a Branch. A faction's members
    are the electorate of its own bodies and elections; an office the structure
    has elected by another body, or by another branch, has that electorate;
    otherwise the members in good standing of the branch and every branch below it.
    """
    if isinstance(of, Office):
        if of.electorate_kind == "body" and of.electorate_body_id:
            return _holders_of(of.electorate_body_id)
        if of.electorate_kind == "branch" and of.electorate_branch_id:
            return electorate(of.electorate_branch)
        return electorate(of.body)
    if getattr(of, "electorate_body_id", None):
        return _holders_of(of.electorate_body_id)
    if getattr(of, "electorate_assembly_id", None):
        from tribune.assemblies.models import Participant

        voting = Participant.objects.filter(
            assembly_id=of.electorate_assembly_id, voting=True
        ).values("member_id")
        return Member.objects.filter(standing=Standing.GOOD, pk__in=voting)
    faction_id = getattr(of, "faction_id", None)
    if faction_id is not None:
        return Member.objects.filter(
            standing=Standing.GOOD, faction_memberships__faction_id=faction_id
        )
    branch = getattr(of, "electorate", None) or getattr(of, "branch", None) or of
    return Member.objects.filter(
        organisation_id=branch.organisation_id,
        standing=Standing.GOOD,
        home_branch_id__in=branch.subtree_ids(),
    )


def in_electorate(member: Member | None, of) -> bool:
    return (
        member is not None
        and member.in_good_standing
        and electorate(of).filter(pk=member.pk).exists()
    )
