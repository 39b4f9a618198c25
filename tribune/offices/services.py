"""Creating bodies and offices, and beginning and ending terms.

Every office is checked against the current constitution when it is created,
and every term against the office's term length and the term limit, so no
path through the software can make a position permanent.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.lib.errors import RuleViolation
from tribune.offices.models import Body, BodyKind, Office, Term, TermSource


@transaction.atomic
def create_body(
    organisation, *, name: str, kind: str, branch=None, description="", actor=None, term=None
) -> Body:
    branch = branch or organisation.root_branch
    if branch.organisation_id != organisation.id:
        raise RuleViolation(_t("Choose a branch of this organisation."), "branch")
    body = Body.objects.create(
        organisation=organisation,
        branch=branch,
        name=name,
        slug=slugify(name)[:50],
        kind=kind,
        description=description,
    )
    record(organisation, "body.created", actor=actor, term=term, target=body, data={"name": name})
    return body


@transaction.atomic
def create_office(
    body: Body,
    *,
    title: str,
    mandate: str,
    powers=(),
    term_days=None,
    seats=1,
    actor=None,
    term=None,
) -> Office:
    constitution = body.organisation.current_constitution()
    office = Office(
        body=body,
        title=str(title),
        mandate=str(mandate),
        powers=sorted(set(powers)),
        term_days=term_days or constitution.default_term_days,
        seats=seats,
    )
    office.check_against(constitution)
    office.save()
    record(
        body.organisation,
        "office.created",
        actor=actor,
        term=term,
        target=office,
        data={"title": title, "powers": office.powers, "term_days": office.term_days},
    )
    return office


@transaction.atomic
def single_use_office(
    organisation, *, body_slug: str, body_name: str, title: str, mandate: str, holder, until
) -> Office:
    """An office created for one election or one assembly, held by ``holder`` until ``until``.

    Returning officers and assembly chairs act under such a mandate: its own
    text, its own term (never past the constitution's maximum), and nothing
    beyond the event it was made for. They sit in a body of kind RETURNING,
    which the election scheduler never refills.
    """
    body, _ = Body.objects.get_or_create(
        organisation=organisation,
        slug=body_slug,
        defaults={
            "name": body_name,
            "kind": BodyKind.RETURNING,
            "branch": organisation.root_branch,
        },
    )
    constitution = organisation.current_constitution()
    days = max(1, min((until - timezone.now()).days + 1, constitution.max_term_days))
    office = create_office(body, title=title, mandate=mandate, term_days=days)
    begin_term(office, holder, source=TermSource.ELECTION, days=days)
    return office


def consecutive_terms(office: Office, member, before) -> int:
    """How many terms ``member`` has served in ``office`` back to back up to ``before``."""
    count, boundary = 0, before
    for term in office.terms.filter(member=member, starts_at__lt=before).order_by("-starts_at"):
        end = min(term.ends_at, term.ended_at or term.ends_at)
        # A gap of more than a day between terms breaks the run.
        if end < boundary - timedelta(days=1):
            break
        count, boundary = count + 1, term.starts_at
    return count


def term_limit(office: Office) -> int:
    """The office's limit of consecutive terms: never laxer than the constitution's."""
    general = office.body.organisation.current_constitution().term_limit
    return min(office.term_limit or general, general)


def term_limit_reached(office: Office, member, at=None) -> bool:
    return consecutive_terms(office, member, at or timezone.now()) >= term_limit(office)


def _most_seats_held(office: Office, starts_at, ends_at) -> int:
    """The most seats of ``office`` held at any moment from ``starts_at`` to ``ends_at``.

    Counted over the whole span, not at its first moment only: a term elected to
    begin later (a seat taken over when its holder's term ends) holds its seat
    from then on, and a new term must not double-book it.
    """
    terms = [
        (t.starts_at, min(t.ends_at, t.ended_at or t.ends_at))
        for t in Term.objects.filter(office=office, starts_at__lt=ends_at, ends_at__gt=starts_at)
    ]
    moments = {starts_at} | {start for start, _end in terms if start > starts_at}
    return max(
        (sum(1 for start, end in terms if start <= moment < end) for moment in moments),
        default=0,
    )


@transaction.atomic
def begin_term(
    office: Office, member, *, source: str, starts_at=None, days=None, actor=None, term=None
) -> Term:
    """Seat ``member`` in ``office``: a term no longer than the office's and the constitution's."""
    constitution = office.body.organisation.current_constitution()
    starts_at = starts_at or timezone.now()
    days = days or office.term_days
    if not 1 <= days <= min(office.term_days, constitution.max_term_days):
        raise RuleViolation(
            _t("A term of this office lasts at most %(days)s days.")
            % {"days": min(office.term_days, constitution.max_term_days)},
            "days",
        )
    if office.abolished_at is not None:
        raise RuleViolation(_t("This office has been abolished."), "office")
    if member.organisation_id != office.body.organisation_id or not member.in_good_standing:
        raise RuleViolation(_t("Only a member in good standing can hold office."), "member")
    if term_limit_reached(office, member, starts_at):
        raise RuleViolation(
            _t(
                "%(name)s has served the constitution's limit of %(limit)s consecutive terms "
                "in this office."
            )
            % {"name": member.name, "limit": term_limit(office)},
            "member",
        )
    ends_at = starts_at + timedelta(days=days)
    if _most_seats_held(office, starts_at, ends_at) >= office.seats:
        raise RuleViolation(_t("Every seat of this office is filled."), "office")
    new = Term.objects.create(
        office=office,
        member=member,
        starts_at=starts_at,
        ends_at=ends_at,
        source=source,
    )
    record(
        office.body.organisation,
        "term.began",
        actor=actor,
        term=term,
        target=new,
        data={"office": office.pk, "member": member.pk, "ends_at": new.ends_at, "source": source},
    )
    return new


__all__ = ["create_body", "create_office", "begin_term", "term_limit_reached", "TermSource"]
