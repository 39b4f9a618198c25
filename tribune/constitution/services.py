"""Changing the constitution: the one way a new version comes into force.

A new version is adopted by the members (a referendum's certified result, or a
congress motion carried with the constitution's majority) or, during the
provisional period only, the provisional committee sets up the first
structure — an act that is logged and lapses unless the members adopt it
before the provisional period ends. Every path ends in ``adopt``: the draft is
checked against the guarantees, the structure's bodies and offices are made
from it, and the version is recorded.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.constitution import structure as structures
from tribune.constitution.models import ConstitutionVersion
from tribune.lib.errors import NotPermitted, RuleViolation

# What a version records about itself; an amendment changes the rest.
NOT_AMENDABLE = frozenset(
    {
        "id",
        "organisation",
        "number",
        "adopted_at",
        "adopted_how",
        "appeal_body",
        "structure_provisional_until",
    }
)


def amendable_fields() -> set[str]:
    return {f.name for f in ConstitutionVersion._meta.concrete_fields} - NOT_AMENDABLE


def draft(current: ConstitutionVersion, amendment: dict, how: str = "") -> ConstitutionVersion:
    """The version ``amendment`` would make of ``current``: unsaved, unchecked."""
    fields = {
        f.name: getattr(current, f.name)
        for f in ConstitutionVersion._meta.concrete_fields
        if f.name not in ("id", "organisation", "number", "adopted_at", "adopted_how")
    }
    fields.update(amendment)
    return ConstitutionVersion(
        organisation=current.organisation,
        number=current.number + 1,
        adopted_at=timezone.now(),
        adopted_how=how,
        **fields,
    )


def check_amendment(organisation, amendment: dict | None) -> ConstitutionVersion:
    """Refuse an amendment that changes nothing, names no rule, or breaks a guarantee."""
    if not amendment or not isinstance(amendment, dict):
        raise RuleViolation(_t("The amendment changes nothing."), "amendment")
    unknown = set(amendment) - amendable_fields()
    if unknown:
        raise RuleViolation(
            _t("Unknown constitution fields: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            "amendment",
        )
    version = draft(organisation.current_constitution(), amendment)
    try:
        version.full_clean(
            exclude=["organisation", "appeal_body", "adopted_how"], validate_unique=False
        )
    except Exception as exc:  # a ValidationError from a field's own bounds
        field, messages = next(
            iter(getattr(exc, "message_dict", {"amendment": [str(exc)]}).items())
        )
        raise RuleViolation(f"{field}: {' '.join(messages)}", "amendment") from None
    try:
        version.check_guarantees()
    except RuleViolation as exc:
        raise RuleViolation(exc.message, "amendment") from None
    return version


@transaction.atomic
def adopt(
    organisation,
    amendment: dict,
    *,
    how: str,
    provisional_until=None,
    actor=None,
    term=None,
    data: dict | None = None,
) -> ConstitutionVersion:
    """Bring a new version into force: checked, its structure made, recorded.

    ``provisional_until`` is set only for the provisional committee's structure.
    A version adopted by the members keeps a provisional structure provisional
    unless the amendment itself says what the structure is.
    """
    from tribune.organisations.models import Organisation

    # One adoption at a time per organisation: version numbers never collide.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    current = organisation.current_constitution()
    check_amendment(organisation, amendment)
    version = draft(current, amendment, how)
    if provisional_until is None and "structure" not in amendment:
        provisional_until = current.structure_provisional_until
    version.structure_provisional_until = provisional_until
    appeals = structures.materialise(version)
    if appeals is not None:
        version.appeal_body = appeals
    elif version.appeal_body is not None and version.appeal_body.abolished_at is not None:
        version.appeal_body = None
    version.save()
    record(
        organisation,
        "constitution.adopted",
        actor=actor,
        term=term,
        target=version,
        data={"number": version.number, "how": how, **(data or {})},
    )
    return version


# --- the provisional committee's first structure -------------------------------------------


def provisional_committee_term(member, organisation):
    """The member's current provisional (founding) term on the provisional committee."""
    from tribune.offices.models import BodyKind, Term, TermSource

    if member is None or member.organisation_id != organisation.pk:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    current = organisation.current_constitution()
    term = (
        Term.objects.current()
        .filter(
            member=member,
            source=TermSource.FOUNDING,
            office__body__kind=BodyKind.PROVISIONAL,
            office__body__organisation=organisation,
        )
        .exclude(office__body_id=current.appeal_body_id)
        .select_related("office__body")
        .first()
    )
    if term is None or not member.in_good_standing:
        raise NotPermitted(
            _t("Only the provisional committee sets up the first structure, while its term runs.")
        )
    return term


def provisional_period_end(organisation):
    """When the founders' provisional terms run out (None once they have)."""
    from tribune.offices.models import Term, TermSource

    last = (
        Term.objects.current()
        .filter(office__body__organisation=organisation, source=TermSource.FOUNDING)
        .order_by("-ends_at")
        .first()
    )
    return last.ends_at if last else None


def members_adopted_a_structure(organisation) -> bool:
    return (
        organisation.constitution_versions.filter(structure_provisional_until__isnull=True)
        .exclude(structure=[])
        .exists()
    )


def structure_vote_pending(organisation) -> bool:
    """A referendum on the structure is called and not yet decided."""
    from tribune.elections.models import Election, Kind, Status

    return (
        Election.objects.filter(organisation=organisation, kind=Kind.AMENDMENT)
        .exclude(status__in=[Status.CERTIFIED, Status.CANCELLED])
        .filter(amendment__has_key="structure")
        .exists()
    )


def with_provisional_structure():
    """Organisations one of whose versions had a provisional structure: the only ones the
    clock's structure steps need to look at, instead of every organisation each minute."""
    from tribune.organisations.models import Organisation

    return Organisation.objects.filter(
        constitution_versions__structure_provisional_until__isnull=False
    ).distinct()


def structure_problem(organisation) -> str | None:
    """Why the provisional committee may not set up the structure now, or None."""
    if members_adopted_a_structure(organisation):
        return _t(
            "The members have adopted the structure: it changes only by a constitutional "
            "amendment (a referendum or a congress motion)."
        )
    if provisional_period_end(organisation) is None:
        return _t("The provisional period is over: the structure changes only by amendment.")
    if structure_vote_pending(organisation):
        return _t(
            "The structure is before the members in a vote: wait for its result before changing it."
        )
    return None


@transaction.atomic
def set_up_structure(actor, organisation, structure: list, *, summary: str) -> ConstitutionVersion:
    """The provisional committee sets up (or changes) the first structure.

    A new constitution version records it, marked provisional until the end of
    the provisional period: it lapses then unless the members adopt it.
    """
    term = provisional_committee_term(actor, organisation)
    problem = structure_problem(organisation)
    if problem:
        raise RuleViolation(problem, "structure")
    until = provisional_period_end(organisation)
    return adopt(
        organisation,
        {"structure": structure},
        how=_t(
            "Set up by the provisional committee (%(summary)s); provisional until the "
            "members adopt it"
        )
        % {"summary": summary},
        provisional_until=until,
        actor=actor,
        term=term,
        data={"provisional": True, "summary": summary},
    )


def confirmed_structure(organisation) -> list:
    """The structure the members last adopted (empty if they never have)."""
    version = (
        organisation.constitution_versions.filter(structure_provisional_until__isnull=True)
        .order_by("-number")
        .first()
    )
    return list(version.structure or []) if version else []


def lapse_provisional_structures(now=None) -> int:
    """The clock: a provisional structure the members did not adopt in time lapses.

    The structure goes back to what the members last adopted (none at all for a
    new organisation); the offices it had are abolished and their terms end.
    """
    from tribune.lib.clock import each_alone

    now = now or timezone.now()
    due = []
    for organisation in with_provisional_structure():
        current = organisation.current_constitution()
        until = current.structure_provisional_until if current else None
        if until is not None and until <= now:
            due.append(organisation)

    def lapse(organisation):
        return adopt(
            organisation,
            {"structure": confirmed_structure(organisation)},
            how=_t(
                "The provisional committee's structure lapsed: the members did not adopt it "
                "before the provisional period ended"
            ),
            data={"lapsed": True},
        )

    return len(each_alone(due, lapse, what="organisation"))


def taken_keys(organisation) -> set[str]:
    """Short names a new body of the structure may not take (the bodies outside it)."""
    from tribune.offices.models import Body

    return set(
        Body.objects.filter(organisation=organisation, in_structure=False).values_list(
            "slug", flat=True
        )
    )
