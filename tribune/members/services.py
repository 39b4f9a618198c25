"""Membership actions: apply, admit, refuse, suspend, appeal, resign, erase.

Each action checks the mandate it needs (``tribune.offices.rules``), writes in
one transaction and appends to the audit chain. Views and the API only call
these functions.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import PRIVATE_ACTIONS, record, standing_ref
from tribune.constitution.models import AdmissionRule
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members import history
from tribune.members.models import (
    Appeal,
    AppealStatus,
    Member,
    Standing,
    StandingChange,
)
from tribune.offices.rules import has_power, mandate_for, seat_in


def _digest(text: str) -> str:
    """Audit entries carry a digest of free text, so erasure can remove the text itself."""
    return hashlib.sha256(text.encode()).hexdigest() if text else ""


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_t("A written reason is required."), "reason")
    return reason


def _change_standing(member, to, *, reason="", actor=None, term=None, action: str):
    change = StandingChange.objects.create(
        member=member,
        from_standing=member.standing,
        to_standing=to,
        reason=reason,
        actor=actor,
        term=term,
    )
    member.standing = to
    if to == Standing.GOOD and member.admitted_at is None:
        member.admitted_at = timezone.now()
    member.save(update_fields=["standing", "admitted_at"])
    record(
        member.organisation,
        action,
        # A resignation is the member's own act and is not named; an officer's
        # decision keeps the officer's name and mandate.
        actor=None if action in PRIVATE_ACTIONS else actor,
        term=term,
        target=standing_ref(member),
        data={"from": change.from_standing, "to": to, "reason_sha256": _digest(reason)},
    )
    return change


@transaction.atomic
def apply_for_membership(
    organisation, *, user, name: str, email: str, branch, statement: str = ""
) -> Member:
    """Anyone may apply; the constitution's admission rule decides what happens next."""
    name = (name or "").strip()
    if not name:
        raise RuleViolation(_t("Please give your name."), "name")
    if branch.organisation_id != organisation.id:
        raise RuleViolation(_t("Choose a branch of this organisation."), "branch")
    existing = Member.objects.filter(organisation=organisation, user=user).first() if user else None
    if existing is not None and existing.standing not in (Standing.RESIGNED, Standing.REFUSED):
        raise RuleViolation(
            _t("You already have a membership record here (%(standing)s).")
            % {"standing": existing.get_standing_display()},
            "email",
        )
    if existing is not None:
        member = existing
        if branch.pk != member.home_branch_id:  # their past moves with them
            history.forget(organisation, [member.home_branch_id, branch.pk])
        member.name, member.home_branch, member.application_statement = name, branch, statement
        member.save(update_fields=["name", "home_branch", "application_statement"])
        _change_standing(member, Standing.APPLICANT, action="member.reapplied")
    else:
        try:
            with transaction.atomic():
                member = Member.objects.create(
                    organisation=organisation,
                    user=user,
                    name=name,
                    email=email,
                    home_branch=branch,
                    application_statement=statement,
                )
        except IntegrityError:
            raise RuleViolation(
                _t("A membership record with this email already exists."), "email"
            ) from None
        record(
            organisation,
            "member.applied",
            target=standing_ref(member),
            data={"branch": branch.id},
        )
    constitution = organisation.current_constitution()
    if constitution.admission_rule == AdmissionRule.AUTOMATIC:
        _change_standing(
            member,
            Standing.GOOD,
            reason=_t("Admitted automatically under the constitution."),
            action="member.admitted",
        )
    return member


def _pending_applicant(applicant: Member) -> None:
    if applicant.standing != Standing.APPLICANT:
        raise RuleViolation(_t("This person has no pending application."))


@transaction.atomic
def admit_member(actor: Member, applicant: Member) -> StandingChange:
    _pending_applicant(applicant)
    term = mandate_for(actor, "admit_members", applicant.home_branch)
    return _change_standing(
        applicant, Standing.GOOD, actor=actor, term=term, action="member.admitted"
    )


@transaction.atomic
def refuse_application(actor: Member, applicant: Member, reason: str) -> StandingChange:
    """Refusal needs a written reason, and the applicant may appeal it."""
    reason = _require_reason(reason)
    _pending_applicant(applicant)
    term = mandate_for(actor, "admit_members", applicant.home_branch)
    return _change_standing(
        applicant, Standing.REFUSED, reason=reason, actor=actor, term=term, action="member.refused"
    )


@transaction.atomic
def suspend_member(actor: Member, member: Member, reason: str) -> StandingChange:
    reason = _require_reason(reason)
    if member.standing != Standing.GOOD:
        raise RuleViolation(_t("Only a member in good standing can be suspended."))
    if actor is not None and member.pk == actor.pk:
        raise RuleViolation(_t("You cannot suspend yourself."))
    term = mandate_for(actor, "suspend_members", member.home_branch)
    return _change_standing(
        member,
        Standing.SUSPENDED,
        reason=reason,
        actor=actor,
        term=term,
        action="member.suspended",
    )


@transaction.atomic
def reinstate_member(actor: Member, member: Member, reason: str) -> StandingChange:
    reason = _require_reason(reason)
    if member.standing != Standing.SUSPENDED:
        raise RuleViolation(_t("Only a suspended member can be reinstated."))
    term = mandate_for(actor, "suspend_members", member.home_branch)
    return _change_standing(
        member, Standing.GOOD, reason=reason, actor=actor, term=term, action="member.reinstated"
    )


@transaction.atomic
def record_lapse(actor: Member, member: Member, reason: str) -> StandingChange:
    reason = _require_reason(reason)
    if member.standing != Standing.GOOD:
        raise RuleViolation(_t("Only a member in good standing can lapse."))
    term = mandate_for(actor, "manage_standing", member.home_branch)
    return _change_standing(
        member, Standing.LAPSED, reason=reason, actor=actor, term=term, action="member.lapsed"
    )


@transaction.atomic
def record_renewal(actor: Member, member: Member) -> StandingChange:
    if member.standing != Standing.LAPSED:
        raise RuleViolation(_t("Only a lapsed membership can be renewed."))
    term = mandate_for(actor, "manage_standing", member.home_branch)
    return _change_standing(member, Standing.GOOD, actor=actor, term=term, action="member.renewed")


@transaction.atomic
def lodge_appeal(member: Member, change: StandingChange, statement: str) -> Appeal:
    """A refused applicant or suspended member appeals to the constitution's appeal body."""
    statement = (statement or "").strip()
    if not statement:
        raise RuleViolation(_t("Please give the grounds of your appeal."), "statement")
    if change.member_id != member.pk:
        raise NotPermitted(_t("You can only appeal decisions about yourself."))
    if not change.appealable:
        raise RuleViolation(_t("This decision cannot be appealed."))
    if member.standing != change.to_standing:
        raise RuleViolation(_t("This decision is no longer in force."))
    if Appeal.objects.filter(standing_change=change).exists():
        raise RuleViolation(_t("You have already appealed this decision."))
    body = member.organisation.current_constitution().appeal_body
    if body is None:
        raise RuleViolation(_t("The constitution names no body to hear appeals."))
    appeal = Appeal.objects.create(standing_change=change, body=body, statement=statement)
    record(member.organisation, "appeal.lodged", target=appeal)
    return appeal


@transaction.atomic
def decide_appeal(actor: Member, appeal: Appeal, *, upheld: bool, reason: str) -> Appeal:
    """A sitting member of the appeal body records the body's decision."""
    reason = _require_reason(reason)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise RuleViolation(_t("This appeal has already been decided."))
    term = seat_in(actor, appeal.body)
    member = appeal.member
    if actor.pk == member.pk or actor.pk == appeal.standing_change.actor_id:
        raise NotPermitted(_t("No one may decide an appeal about their own case or decision."))
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
    appeal.decision_reason, appeal.decided_by, appeal.decided_at = reason, actor, timezone.now()
    appeal.save()
    record(
        member.organisation,
        "appeal.decided",
        actor=actor,
        term=term,
        target=appeal,
        data={"upheld": upheld, "reason_sha256": _digest(reason)},
    )
    if upheld:
        restored = Standing.GOOD
        _change_standing(
            member, restored, reason=reason, actor=actor, term=term, action="member.restored"
        )
    return appeal


@transaction.atomic
def update_profile(member: Member, *, name: str, phone: str, address: str, branch) -> Member:
    name = (name or "").strip()
    if not name:
        raise RuleViolation(_t("Please give your name."), "name")
    if branch.organisation_id != member.organisation_id:
        raise RuleViolation(_t("Choose a branch of this organisation."), "branch")
    moved = branch.pk != member.home_branch_id
    if moved:  # their past moves with them: both branches' kept months are redrawn
        history.forget(member.organisation, [member.home_branch_id, branch.pk])
    member.name, member.phone, member.address, member.home_branch = name, phone, address, branch
    member.save(update_fields=["name", "phone", "address", "home_branch"])
    record(
        member.organisation,
        "member.profile_updated",
        target=standing_ref(member),
        data={"branch": branch.pk} if moved else {},
    )
    return member


@transaction.atomic
def resign(member: Member) -> StandingChange:
    if member.standing in (Standing.RESIGNED, Standing.REFUSED):
        raise RuleViolation(_t("You are not a member."))
    from tribune.offices.models import Term

    now = timezone.now()
    for term in Term.objects.current(now).filter(member=member):
        term.ended_at, term.end_reason = now, "resigned from the organisation"
        term.save(update_fields=["ended_at", "end_reason"])
    return _change_standing(member, Standing.RESIGNED, actor=member, action="member.resigned")


def visible_to(viewer: Member | None, member: Member) -> bool:
    """Fellow members see each other; applicants and refused applicants are seen only by
    themselves and by officers whose mandate covers admissions or standing there."""
    if viewer is None or member.organisation_id != viewer.organisation_id:
        return False
    if viewer.pk == member.pk:
        return True
    if member.standing in (Standing.APPLICANT, Standing.REFUSED):
        branch = member.home_branch
        return has_power(viewer, "admit_members", branch) or has_power(
            viewer, "suspend_members", branch
        )
    return viewer.in_good_standing


def export_data(member: Member) -> dict:
    """Everything Tribune holds about ``member``, as their own download."""
    from tribune.factions.models import FoundingSignature

    terms = member.terms.select_related("office__body")
    return {
        "organisation": member.organisation.name,
        "name": member.name,
        "email": member.email,
        "phone": member.phone,
        "address": member.address,
        "branch": member.home_branch.name,
        "standing": member.standing,
        "application_statement": member.application_statement,
        "applied_at": member.applied_at.isoformat(),
        "admitted_at": member.admitted_at.isoformat() if member.admitted_at else None,
        "standing_history": [
            {
                "from": c.from_standing,
                "to": c.to_standing,
                "reason": c.reason,
                "at": c.at.isoformat(),
            }
            for c in member.standing_changes.order_by("at", "id")
        ],
        "appeals": [
            {"statement": a.statement, "status": a.status, "decision": a.decision_reason}
            for a in Appeal.objects.filter(standing_change__member=member)
        ],
        "terms_of_office": [
            {
                "office": t.office.title,
                "body": t.office.body.name,
                "starts_at": t.starts_at.isoformat(),
                "ends_at": t.ends_at.isoformat(),
                "ended_at": t.ended_at.isoformat() if t.ended_at else None,
            }
            for t in terms
        ],
        # The member's own faction memberships, private ones included: this is their download.
        "factions": [
            {
                "faction": m.faction.name,
                "status": m.faction.status,
                "visibility": m.visibility,
                "joined_at": m.joined_at.isoformat(),
            }
            for m in member.faction_memberships.select_related("faction").order_by("joined_at")
        ],
        "founding_signatures": [
            {"faction": s.faction.name, "signed_at": s.signed_at.isoformat()}
            for s in FoundingSignature.objects.filter(member=member).select_related("faction")
        ],
        "account_email": member.user.email if member.user else None,
    }


@transaction.atomic
def erase(member: Member) -> Member:
    """Remove the member's personal data; their votes and audit entries stay, anonymous.

    The row stays so that history (terms served, audit references by id) still
    holds together, but nothing in it identifies the person any more, and the
    login account is deleted.
    """
    if member.erased_at is not None:
        raise RuleViolation(_t("This membership has already been erased."))
    if member.standing not in (Standing.RESIGNED, Standing.REFUSED):
        resign(member)
        member.refresh_from_db()
    user = member.user
    member.name = _t("Erased member #%(id)s") % {"id": member.pk}
    member.email = member.phone = member.address = member.application_statement = ""
    member.user = None
    member.erased_at = timezone.now()
    member.save()
    member.standing_changes.update(reason="")
    # Political affiliation is personal data: faction memberships go with the rest.
    member.faction_memberships.all().delete()
    Appeal.objects.filter(standing_change__member=member).update(statement="")
    record(member.organisation, "member.erased", target=standing_ref(member))
    if user is not None and not user.memberships.exists():
        user.delete()
    return member
