"""Recall: a petition of the office's electorate, a vote when it reaches its threshold, and
the office-holder's reply.
"""

import math
import secrets
from datetime import timedelta
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import private_ref, record
from tribune.elections.models import (
    Election,
    Kind,
    Method,
    PetitionStatus,
    RecallPetition,
    RecallSignature,
)
from tribune.elections.services.calling import call_election
from tribune.elections.services.electorates import electorate, in_electorate
from tribune.elections.services.scheduling import _pending
from tribune.elections.services.steps import _open_voting
from tribune.lib.clock import each_alone
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.models import Member
from tribune.offices.models import Term


@transaction.atomic
def open_recall_petition(member: Member, term: Term, reason: str) -> RecallPetition:
    """Any member of the office's electorate may open a recall petition, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_t("Give the reason for the recall."), "reason")
    body = term.office.body
    branch = body.branch
    if not in_electorate(member, body):
        raise NotPermitted(_t("Only members of this office's electorate may petition."))
    if not term.is_current():
        raise RuleViolation(_t("This term is not current."))
    if term.recall_petitions.filter(status__in=[PetitionStatus.OPEN, PetitionStatus.VOTE]).exists():
        raise RuleViolation(_t("A recall petition against this term is already open."))
    constitution = term.office.body.organisation.current_constitution()
    size = electorate(body).count()
    threshold = max(1, math.ceil(Fraction(constitution.recall_threshold_percent) / 100 * size))
    petition = RecallPetition.objects.create(
        term=term, opened_by=member, reason=reason, threshold=threshold, electorate_size=size
    )
    record(
        branch.organisation,
        "recall.opened",
        target=petition,
        data={"term": term.pk, "threshold": threshold, "electorate": size},
    )
    sign_recall_petition(member, petition)
    return RecallPetition.objects.get(pk=petition.pk)


@transaction.atomic
def sign_recall_petition(member: Member, petition: RecallPetition) -> RecallSignature:
    petition = RecallPetition.objects.select_for_update().get(pk=petition.pk)
    if petition.status != PetitionStatus.OPEN:
        raise RuleViolation(_t("This petition is no longer collecting signatures."))
    if not in_electorate(member, petition.term.office.body):
        raise NotPermitted(_t("Only members of this office's electorate may sign."))
    try:
        with transaction.atomic():
            signature = RecallSignature.objects.create(petition=petition, member=member)
    except IntegrityError:
        raise RuleViolation(_t("You have already signed this petition.")) from None
    organisation = petition.term.office.body.organisation
    signatures = petition.signatures.count()
    record(
        organisation,
        "recall.signed",
        target=petition,
        data={"signer": private_ref(member, petition), "signatures": signatures},
    )
    if signatures >= petition.threshold:
        _start_recall_vote(petition)
    return signature


@transaction.atomic
def withdraw_signature(member: Member, petition: RecallPetition) -> None:
    petition = RecallPetition.objects.select_for_update().get(pk=petition.pk)
    if petition.status != PetitionStatus.OPEN:
        raise RuleViolation(_t("The threshold is reached: signatures can no longer be withdrawn."))
    if not petition.signatures.filter(member=member).delete()[0]:
        raise RuleViolation(_t("You have not signed this petition."))
    record(
        petition.term.office.body.organisation,
        "recall.unsigned",
        target=petition,
        data={"signer": private_ref(member, petition), "signatures": petition.signatures.count()},
    )


def _start_recall_vote(petition: RecallPetition) -> None:
    term = petition.term
    organisation = term.office.body.organisation
    constitution = organisation.current_constitution()
    now = timezone.now()
    election = Election.objects.create(
        organisation=organisation,
        kind=Kind.RECALL,
        title=_t("Recall of %(name)s as %(office)s")
        % {"name": term.member.name, "office": term.office.title},
        question=petition.reason,
        office=term.office,
        method=Method.YES_NO,
        electorate=term.office.body.branch,
        faction=term.office.body.faction,
        voting_open_at=now,
        voting_close_at=now + timedelta(days=constitution.recall_vote_days),
        seed=secrets.randbits(62),
    )
    petition.status, petition.election = PetitionStatus.VOTE, election
    petition.save(update_fields=["status", "election"])
    record(
        organisation, "recall.threshold_reached", target=petition, data={"election": election.pk}
    )
    _open_voting(election)


def _conclude_recall(election: Election) -> None:
    petition = election.recall_petition
    term = petition.term
    if election.passed:
        term.ended_at, term.end_reason = timezone.now(), _t("recalled by the membership")
        term.save(update_fields=["ended_at", "end_reason"])
        petition.status = PetitionStatus.PASSED
        record(election.organisation, "term.recalled", target=term, data={"election": election.pk})
        if not _pending(term.office):
            call_election(
                None,
                office=term.office,
                title=_t("By-election: %(office)s") % {"office": term.office.title},
            )
    else:
        petition.status = PetitionStatus.FAILED
    petition.save(update_fields=["status"])


def lapse_petitions(now=None) -> int:
    """Petitions still collecting signatures against a term that has ended lapse (each alone)."""
    now = now or timezone.now()

    def lapse(petition: RecallPetition) -> bool:
        if petition.term.is_current(now):
            return False
        petition.status = PetitionStatus.LAPSED
        petition.save(update_fields=["status"])
        record(petition.term.office.body.organisation, "recall.lapsed", target=petition)
        return True

    petitions = RecallPetition.objects.filter(status=PetitionStatus.OPEN).select_related(
        "term__office__body__organisation"
    )
    return sum(each_alone(list(petitions), lapse, what="recall petition"))


@transaction.atomic
def reply_to_recall(member: Member, petition: RecallPetition, text: str) -> RecallPetition:
    if petition.term.member_id != member.pk:
        raise NotPermitted(_t("Only the office-holder can reply to this petition."))
    petition.holder_reply = (text or "").strip()
    petition.save(update_fields=["holder_reply"])
    record(petition.term.office.body.organisation, "recall.replied", actor=member, target=petition)
    return petition
