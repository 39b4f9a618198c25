"""Open candidacy: nominating, accepting, withdrawing and seconding, and who is on the ballot."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import private_ref, record
from tribune.constitution.models import ConstitutionVersion
from tribune.elections.models import Candidacy, Election, Kind, Seconding, Status
from tribune.elections.services.electorates import in_electorate
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.lib.prepared import Prepared
from tribune.members.models import Member
from tribune.offices.models import Term
from tribune.offices.services import consecutive_terms
from tribune.offices.services import term_limit as office_term_limit


def candidacy_problem(member: Member, election: Election) -> str | None:
    """Why ``member`` may not stand in ``election``, or None. The only refusals there are."""
    if not member.in_good_standing:
        return _t("Only members in good standing may stand.")
    if member.organisation_id != election.organisation_id:
        return _t("Only members of this organisation may stand.")
    if election.faction_id is not None and not in_electorate(member, election):
        # A faction's offices are its own: stood for, like elected, by its members only.
        return _t("Only members of %(faction)s may stand for its offices.") % {
            "faction": election.faction.name
        }
    if (
        election.returning_office_id
        and Term.objects.filter(office_id=election.returning_office_id, member=member).exists()
    ):
        return _t("The returning officer cannot stand in the election they run.")
    limit = office_term_limit(election.office)
    if consecutive_terms(election.office, member, election.voting_close_at + timedelta(days=1)) >= (
        limit
    ):
        return _t(
            "%(name)s has served the constitution's limit of %(limit)s consecutive terms in "
            "this office."
        ) % {"name": member.name, "limit": limit}
    return None


@transaction.atomic
def nominate(
    nominator: Member, election: Election, nominee: Member, *, statement: str = ""
) -> Candidacy:
    """Any member in good standing nominates anyone, themselves included."""
    if election.kind != Kind.OFFICE:
        raise RuleViolation(_t("This vote has no candidates."))
    if election.status != Status.NOMINATIONS or timezone.now() >= election.nominations_close_at:
        raise RuleViolation(_t("Nominations are not open."))
    if not nominator.in_good_standing or nominator.organisation_id != election.organisation_id:
        raise NotPermitted(_t("Only members in good standing may nominate."))
    if election.faction_id is not None and not in_electorate(nominator, election):
        raise NotPermitted(
            _t("Only members of %(faction)s may nominate for its offices.")
            % {"faction": election.faction.name}
        )
    problem = candidacy_problem(nominee, election)
    if problem:
        raise RuleViolation(problem, "member")
    own = nominator.pk == nominee.pk
    try:
        with transaction.atomic():
            candidacy = Candidacy.objects.create(
                election=election,
                member=nominee,
                nominated_by=nominator,
                statement=statement if own else "",
                accepted_at=timezone.now() if own else None,
            )
    except IntegrityError:
        raise RuleViolation(
            _t("%(name)s is already nominated.") % {"name": nominee.name}, "member"
        ) from None
    record(
        election.organisation,
        "candidacy.nominated",
        actor=nominator,
        target=candidacy,
        data={"election": election.pk, "member": nominee.pk},
    )
    return candidacy


def _own_candidacy(member: Member, candidacy: Candidacy) -> None:
    if candidacy.member_id != member.pk:
        raise NotPermitted(_t("Only the nominee can do this."))
    if candidacy.election.status != Status.NOMINATIONS:
        raise RuleViolation(_t("Nominations are not open."))


@transaction.atomic
def accept_nomination(
    member: Member, candidacy: Candidacy, *, statement: str = "", faction_label: str = ""
) -> Candidacy:
    _own_candidacy(member, candidacy)
    problem = candidacy_problem(member, candidacy.election)
    if problem:
        raise RuleViolation(problem, "member")
    candidacy.accepted_at = candidacy.accepted_at or timezone.now()
    candidacy.withdrawn_at = None
    candidacy.statement, candidacy.faction_label = statement, faction_label
    candidacy.save()
    record(candidacy.election.organisation, "candidacy.accepted", actor=member, target=candidacy)
    return candidacy


@transaction.atomic
def withdraw_candidacy(member: Member, candidacy: Candidacy) -> Candidacy:
    _own_candidacy(member, candidacy)
    candidacy.withdrawn_at = timezone.now()
    candidacy.save(update_fields=["withdrawn_at"])
    record(candidacy.election.organisation, "candidacy.withdrawn", actor=member, target=candidacy)
    return candidacy


@transaction.atomic
def second_nomination(member: Member, candidacy: Candidacy) -> Seconding:
    if candidacy.election.status != Status.NOMINATIONS:
        raise RuleViolation(_t("Nominations are not open."))
    if not in_electorate(member, candidacy.election):
        raise NotPermitted(_t("Only members of this election's electorate may second."))
    if member.pk == candidacy.member_id:
        raise RuleViolation(_t("You cannot second your own nomination."))
    try:
        with transaction.atomic():
            seconding = Seconding.objects.create(candidacy=candidacy, member=member)
    except IntegrityError:
        raise RuleViolation(_t("You have already seconded this nomination.")) from None
    record(
        candidacy.election.organisation,
        "candidacy.seconded",
        target=candidacy,
        data={"seconder": private_ref(member, candidacy)},
    )
    return seconding


def _on_ballot_query(election_id: int, organisation_id: int):
    constitution = ConstitutionVersion.objects.filter(organisation_id=organisation_id)
    needed = Subquery(constitution.order_by("-number").values("seconders_required")[:1])
    standing = Candidacy.objects.filter(
        election_id=election_id, accepted_at__isnull=False, withdrawn_at__isnull=True
    )
    seconded = standing.annotate(seconders=Count("secondings")).filter(seconders__gte=needed)
    return seconded.order_by().values_list("pk")


# Every cast of a ranked ballot runs it: its SQL is built once (half a cast's CPU otherwise).
_ON_BALLOT = Prepared(_on_ballot_query, int, int)


def _on_ballot(election: Election) -> set[int]:
    """The ids of ``_ballot_candidacies``, in one query (a cast checks every ranking)."""
    return {pk for (pk,) in _ON_BALLOT(election.pk, election.organisation_id)}


def _ballot_candidacies(election: Election) -> list[Candidacy]:
    """Who is on the ballot: accepted, not withdrawn, with enough seconders."""
    needed = election.organisation.current_constitution().seconders_required
    candidacies = election.candidacies.select_related("member").prefetch_related("secondings")
    return [
        c
        for c in candidacies.order_by("member__name", "pk")
        if c.standing and len(c.secondings.all()) >= needed
    ]
