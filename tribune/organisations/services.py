"""Founding an organisation and shaping its branch tree.

Founding creates, in one transaction, the organisation, its root branch,
constitution version 1 and a provisional committee whose terms lapse after
``TRIBUNE_PROVISIONAL_DAYS``: even the founders' power expires unless the
membership elects them.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from tribune.audit.log import record
from tribune.constitution.models import ConstitutionVersion
from tribune.constitution.structure import materialise
from tribune.debate.services import publish_default_rules
from tribune.lib.errors import RuleViolation
from tribune.members.models import Member, Standing
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.rules import mandate_for
from tribune.offices.services import begin_term, create_body, create_office
from tribune.organisations.models import Branch, Organisation

PROVISIONAL_MANDATE = _(
    "Run the organisation until the membership elects its first committee: admit "
    "members, keep the membership list and call the first elections. This mandate "
    "lapses on its own at the end of the term."
)

APPEALS_MANDATE = _(
    "Hear and decide appeals against refused applications and suspensions, "
    "giving written reasons, until the membership elects an appeals body."
)
DEFAULT_POWERS = ["admit_members", "call_elections", "manage_branches"]


@transaction.atomic
def found_organisation(
    *,
    name: str,
    slug: str,
    constitution: dict,
    founders: list[dict],
    description: str = "",
    root_level: str = "national",
    language: str = "",
) -> Organisation:
    """Create an organisation whose founders hold provisional, lapsing office.

    ``founders`` are dicts with name, email and optionally user, office title,
    powers, and ``body="appeals"`` to sit on the provisional appeals committee
    instead. ``constitution`` holds the fields of version 1 (checked against the
    guarantees); appeals go to the provisional appeals committee.
    """
    if not founders:
        raise RuleViolation(_t("An organisation needs at least one founding member."), "founders")
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name=name, slug=slug, description=description, language=language
            )
    except IntegrityError:
        raise RuleViolation(_t("That short name is taken."), "slug") from None
    root = Branch.objects.create(
        organisation=organisation, name=name, slug=slugify(slug), level=root_level
    )
    committee = create_body(
        organisation, name=_t("Provisional committee"), kind=BodyKind.PROVISIONAL, branch=root
    )
    appeals = create_body(
        organisation,
        name=_t("Provisional appeals committee"),
        kind=BodyKind.PROVISIONAL,
        branch=root,
        description=_t("Hears appeals against refused applications and suspensions."),
    )
    version = ConstitutionVersion(
        organisation=organisation,
        number=1,
        adopted_at=timezone.now(),
        adopted_how=_t("Founding constitution, adopted by the founding members"),
        appeal_body=appeals,
        **constitution,
    )
    version.check_guarantees(offices=[])
    days = min(settings.TRIBUNE_PROVISIONAL_DAYS, version.max_term_days)
    now = timezone.now()
    if version.structure:
        # The founders' structure is provisional like their offices: the members adopt
        # it before the provisional period ends, or it lapses (``constitution.services``).
        version.structure_provisional_until = now + timedelta(days=days)
    version.save()
    record(organisation, "organisation.founded", target=organisation, data={"name": name})
    publish_default_rules(organisation)
    record(organisation, "constitution.adopted", target=version, data={"number": 1})
    materialise(version)
    for founder in founders:
        member = Member.objects.create(
            organisation=organisation,
            user=founder.get("user"),
            home_branch=root,
            name=founder["name"],
            email=founder.get("email", ""),
            standing=Standing.GOOD,
            admitted_at=now,
        )
        record(organisation, "member.founding", target=member)
        on_appeals = founder.get("body") == "appeals"
        office = create_office(
            appeals if on_appeals else committee,
            title=founder.get("office")
            or (_t("Appeals committee member") if on_appeals else _t("Committee member")),
            mandate=founder.get("mandate")
            or (APPEALS_MANDATE if on_appeals else PROVISIONAL_MANDATE),
            powers=founder.get("powers", [] if on_appeals else DEFAULT_POWERS),
            term_days=days,
        )
        begin_term(office, member, source=TermSource.FOUNDING, days=days, starts_at=now)
    return organisation


@transaction.atomic
def create_branch(actor, parent: Branch, *, name: str, level: str, slug: str = "") -> Branch:
    term = mandate_for(actor, "manage_branches", parent)
    slug = slugify(slug or name)[:50]
    if not name.strip() or not slug:
        raise RuleViolation(_t("Please give the branch a name."), "name")
    if Branch.objects.filter(organisation=parent.organisation, slug=slug).exists():
        raise RuleViolation(_t("That short name is taken."), "slug")
    branch = Branch.objects.create(
        organisation=parent.organisation, parent=parent, name=name, slug=slug, level=level
    )
    record(
        parent.organisation,
        "branch.created",
        actor=actor,
        term=term,
        target=branch,
        data={"name": name, "parent": parent.pk, "level": level},
    )
    return branch
