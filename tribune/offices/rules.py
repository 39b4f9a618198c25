"""Who may do what: the one function every permission check goes through.

Power is derived from the acting member's *current* terms of office and from
nothing else — not from Django's staff or superuser flags, not from having
founded the organisation. A term that has ended grants nothing; a member who
is not in good standing exercises no power; powers over personal data need a
two-factor login.
"""

from django.utils.translation import gettext as _t

from tribune.lib.errors import NotPermitted
from tribune.offices.models import Term
from tribune.offices.powers import PERSONAL_DATA_POWERS, POWERS


def member_of(user, organisation):
    """The user's membership of ``organisation``, or None."""
    from tribune.members.models import Member

    if user is None or not user.is_authenticated:
        return None
    return Member.objects.filter(organisation=organisation, user=user).first()


def current_terms(member, at=None):
    return (
        Term.objects.current(at)
        .filter(member=member)
        .select_related("office__body__branch")
        .order_by("ends_at")
    )


def _has_two_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mandate_for(member, power: str, branch=None, at=None) -> Term:
    """Return the current term under which ``member`` may use ``power`` over ``branch``.

    Raises NotPermitted with the reason otherwise. ``branch`` is the branch the
    action touches (None: the organisation as a whole); a body's powers reach
    its own branch and every branch below it.
    """
    if power not in POWERS:
        raise ValueError(f"unknown power {power!r}")
    if member is None:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    if not member.in_good_standing:
        raise NotPermitted(_t("Only members in good standing exercise any power."))
    target_chain = {b.id for b in branch.ancestors()} if branch is not None else None
    for term in current_terms(member, at):
        if power not in term.office.powers:
            continue
        body_branch = term.office.body.branch
        reaches = (
            body_branch.parent_id is None
            if target_chain is None
            else body_branch.id in target_chain
        )
        if not reaches:
            continue
        if power in PERSONAL_DATA_POWERS and not _has_two_factor(member.user):
            raise NotPermitted(
                _t(
                    "This power reaches members' personal data: turn on two-factor "
                    "authentication in your account first."
                )
            )
        return term
    raise NotPermitted(
        _t("No current mandate of yours grants the power “%(power)s”.") % {"power": POWERS[power]}
    )


def has_power(member, power: str, branch=None, at=None) -> bool:
    try:
        mandate_for(member, power, branch, at)
    except NotPermitted:
        return False
    return True


def seat_in(member, body, at=None) -> Term:
    """The current term by which ``member`` sits on ``body`` (e.g. to decide appeals)."""
    if member is None or not member.in_good_standing:
        raise NotPermitted(_t("Only members in good standing exercise any power."))
    term = current_terms(member, at).filter(office__body=body).first()
    if term is None:
        raise NotPermitted(
            _t("Only current members of %(body)s can decide this.") % {"body": body.name}
        )
    return term


def reach(member, power: str, at=None) -> dict[int, Term]:
    """Every branch id where ``member`` may use ``power``, with the term granting it there.

    For pages that list what an officer may act on (e.g. the applications of
    their own branches). Raises NotPermitted like ``mandate_for`` when there is none.
    """
    granted: dict[int, Term] = {}
    if member is not None and member.in_good_standing:
        for term in current_terms(member, at):
            if power in term.office.powers:
                for branch_id in term.office.body.branch.subtree_ids():
                    granted.setdefault(branch_id, term)
    if not granted:
        mandate_for(member, power, at=at)  # raises, with the reason
    else:
        # Same checks as acting (two-factor for personal data), on one reachable branch.
        mandate_for(member, power, next(iter(granted.values())).office.body.branch, at)
    return granted


def reaches_anywhere(member, power: str, at=None) -> bool:
    """Whether ``member`` may use ``power`` over some branch (for the links a page offers)."""
    try:
        reach(member, power, at)
    except NotPermitted:
        return False
    return True


def officer_pages(member, organisation) -> dict[str, bool]:
    """Which officers' pages ``member`` may open: each answer is the page's own check.

    Pages offer a link only where it is True, so no one is sent to a refusal.
    """
    from tribune.members.rules import sits_on_appeal_body

    return {
        "applications": reaches_anywhere(member, "admit_members"),
        "import": has_power(member, "import_members"),
        "appeals": sits_on_appeal_body(member, organisation),
    }
