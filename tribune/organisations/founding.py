"""Founding a new organisation: the request, the operator's decision, the co-founders.

The web page, the API and ``tribune found`` all call ``request_founding``.
Whether it founds at once, waits for the operator or is refused is the
operator's setting ``TRIBUNE_FOUNDING`` (open / approval / closed). Founding
itself is ``services.found_organisation``: the founders hold provisional,
lapsing office, and so do the co-founders who accept their invitations — their
seats end when the founders' do, so no founder's power outlives the
provisional period unless the membership elects them.
"""

import contextlib
import copy
import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from tribune.audit.log import record
from tribune.constitution.models import AdmissionRule, ConstitutionVersion
from tribune.constitution.presets import PRESETS, editable_fields
from tribune.lib.errors import NotAuthenticated, NotPermitted, RuleViolation
from tribune.lib.inputs import clean_text
from tribune.members.models import Member, Standing
from tribune.offices.models import BodyKind, Term, TermSource
from tribune.offices.powers import POWERS
from tribune.offices.services import begin_term, create_office
from tribune.organisations.models import (
    FoundingInvitation,
    FoundingRequest,
    Organisation,
)
from tribune.organisations.services import APPEALS_MANDATE, create_branch, found_organisation
from tribune.outbox.services import queue_email

MODES = ("open", "approval", "closed")
MAX_BRANCHES = 50
MAX_CO_FOUNDERS = 20
INVITATION_DAYS = 30
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

FOUNDER_MANDATE = _(
    "Found the organisation and run it until the membership elects its first bodies: "
    "admit members, keep the membership list, set up the branches and the first "
    "structure, and call the first elections. This mandate lapses on its own at the "
    "end of the term."
)


def founding_mode() -> str:
    """The operator's setting; anything unrecognised is treated as closed."""
    mode = str(getattr(settings, "TRIBUNE_FOUNDING", "approval")).strip().lower()
    return mode if mode in MODES else "closed"


def _clean_text(value, field: str, max_length: int, *, required: bool) -> str:
    """Stripped text, required or not, within the limits every door applies (lib.inputs)."""
    value = str(value or "").strip()
    if required and not value:
        raise RuleViolation(_t("This field is required."), field)
    return clean_text(value, field=field, max_length=max_length, one_line=max_length <= 200)


def _clean_constitution(preset_slug: str, overrides: dict | None) -> dict:
    """The template's values with the founders' edits, checked against every guarantee."""
    preset = PRESETS.get(preset_slug)
    if preset is None:
        raise RuleViolation(_t("Choose one of the constitution templates."), "preset")
    allowed = set(editable_fields())
    overrides = dict(overrides or {})
    unknown = set(overrides) - allowed
    if unknown:
        raise RuleViolation(
            _t("Unknown constitution fields: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            "constitution",
        )
    values = {**preset.values, **overrides}
    fields = {f.name: f for f in ConstitutionVersion._meta.concrete_fields}
    cleaned = {}
    for name, value in values.items():
        try:
            cleaned[name] = _coerce(fields[name], value)
        except (TypeError, ValueError, InvalidOperation, ValidationError):
            raise RuleViolation(
                _t("“%(value)s” is not a valid value.") % {"value": str(value)[:50]}, name
            ) from None
    if cleaned.get("admission_rule") not in AdmissionRule.values:
        raise RuleViolation(_t("Choose an admission rule."), "admission_rule")
    ConstitutionVersion(number=1, adopted_at=timezone.now(), **cleaned).check_guarantees(offices=[])
    # Stored as JSON until founding: decimals as strings, exactly.
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in cleaned.items()}


def _coerce(field, value):
    from django.db import models

    if isinstance(field, models.JSONField):  # the structure, checked by check_guarantees
        return copy.deepcopy(value)
    if isinstance(field, models.BooleanField):
        if isinstance(value, bool):
            return value
        raise ValueError(value)
    if isinstance(field, models.DecimalField):
        number = Decimal(str(value))
        if not number.is_finite() or abs(number) >= 1000:
            raise ValueError(value)
        return number
    if isinstance(field, models.IntegerField):
        if isinstance(value, bool):
            raise ValueError(value)
        number = int(value)
        if not 0 <= number <= 32767:
            raise ValueError(value)
        return number
    text = str(value)
    if len(text) > 20000 or "\x00" in text:
        raise ValueError(value)
    return text


def _clean_emails(emails, field: str) -> list[str]:
    cleaned = []
    for raw in emails or []:
        email = str(raw).strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise RuleViolation(
                _t("“%(email)s” is not an email address.") % {"email": email[:100]}, field
            ) from None
        if email not in cleaned:
            cleaned.append(email)
    return cleaned


def _clean_branches(names) -> list[str]:
    cleaned, slugs = [], set()
    for raw in names or []:
        name = _clean_text(raw, "branches", 200, required=False)
        if not name:
            continue
        slug = slugify(name)[:50]
        if not slug:
            raise RuleViolation(
                _t("“%(name)s” cannot be used as a branch name.") % {"name": name[:50]},
                "branches",
            )
        if slug in slugs:
            raise RuleViolation(
                _t("Two branches are called “%(name)s”.") % {"name": name}, "branches"
            )
        slugs.add(slug)
        cleaned.append(name)
    if len(cleaned) > MAX_BRANCHES:
        raise RuleViolation(
            _t("Start with at most %(n)s branches; add more later.") % {"n": MAX_BRANCHES},
            "branches",
        )
    return cleaned


@transaction.atomic
def request_founding(
    user,
    *,
    name: str,
    slug: str,
    founder_name: str,
    preset: str,
    description: str = "",
    language: str = "",
    constitution: dict | None = None,
    branches: list[str] | None = None,
    committee: list[str] | None = None,
    appeals: list[str] | None = None,
    by_operator: bool = False,
) -> FoundingRequest:
    """Ask to found an organisation; founded at once when founding is open on this server.

    ``by_operator`` is ``tribune found``: the operator founds directly, whatever the setting.
    """
    if user is None or not user.is_authenticated:
        raise NotAuthenticated(_t("Log in to found an organisation."), "Authorization")
    mode = "open" if by_operator else founding_mode()
    if mode == "closed":
        raise NotPermitted(_t("Founding new organisations is closed on this server."))
    name = _clean_text(name, "name", 200, required=True)
    founder_name = _clean_text(founder_name, "founder_name", 200, required=True)
    description = _clean_text(description, "description", 5000, required=False)
    slug = str(slug or "").strip().lower()
    if not SLUG_RE.match(slug) or len(slug) > 50:
        raise RuleViolation(
            _t(
                "Use lower-case letters, digits and hyphens (at most 50), e.g. “riverside-tenants”."
            ),
            "slug",
        )
    language = str(language or "")
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise RuleViolation(_t("Choose one of the languages offered."), "language")
    taken = Organisation.objects.filter(slug=slug).exists() or (
        FoundingRequest.objects.filter(slug=slug, status=FoundingRequest.Status.PENDING).exists()
    )
    if taken:
        raise RuleViolation(_t("That short name is taken."), "slug")
    values = _clean_constitution(preset, constitution)
    branch_names = _clean_branches(branches)
    if any(slugify(b)[:50] == slug for b in branch_names):
        raise RuleViolation(
            _t("A branch cannot have the organisation's short name: name it differently."),
            "branches",
        )
    committee = _clean_emails(committee, "committee")
    appeals = _clean_emails(appeals, "appeals")
    own = (user.email or "").lower()
    if own and own in committee + appeals:
        raise RuleViolation(_t("You are a founder already: invite others."), "committee")
    if set(committee) & set(appeals):
        raise RuleViolation(
            _t("Nobody sits on both committees: appeals are heard by others."), "appeals"
        )
    if len(committee) + len(appeals) > MAX_CO_FOUNDERS:
        raise RuleViolation(
            _t("Invite at most %(n)s co-founders.") % {"n": MAX_CO_FOUNDERS}, "committee"
        )
    request = FoundingRequest.objects.create(
        requested_by=user,
        founder_name=founder_name,
        name=name,
        slug=slug,
        description=description,
        language=language,
        preset=preset,
        constitution=values,
        branches=branch_names,
        co_founders=[{"email": e, "seat": "committee"} for e in committee]
        + [{"email": e, "seat": "appeals"} for e in appeals],
    )
    if mode == "open":
        approve_founding(request)
        request.refresh_from_db()
    return request


def approve_founding(request: FoundingRequest) -> Organisation:
    """Found what was requested (the operator's approval, or at once when founding is open).

    The first bodies, offices and mandates are written in the organisation's default
    language, when it has one: they are its own words from then on.
    """
    language = request.language
    with translation.override(language) if language else contextlib.nullcontext():
        return _approve_founding(request)


@transaction.atomic
def _approve_founding(request: FoundingRequest) -> Organisation:
    request = FoundingRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != FoundingRequest.Status.PENDING:
        raise RuleViolation(_t("This request has been decided already."))
    user = request.requested_by
    constitution = {
        k: Decimal(v) if k in ("recall_threshold_percent", "quorum_percent") else v
        for k, v in request.constitution.items()
    }
    organisation = found_organisation(
        name=request.name,
        slug=request.slug,
        description=request.description,
        language=request.language,
        constitution=constitution,
        founders=[
            {
                "name": request.founder_name,
                "email": user.email,
                "user": user,
                "office": _t("Founding secretary"),
                "mandate": str(FOUNDER_MANDATE),
                "powers": list(POWERS),
            }
        ],
    )
    founder = Member.objects.get(organisation=organisation, user=user)
    root = organisation.root_branch
    preset = PRESETS[request.preset]
    level = preset.levels[1] if len(preset.levels) > 1 else "local"
    for branch_name in request.branches:
        create_branch(founder, root, name=branch_name, level=level)
    ends_at = _provisional_end(organisation)
    for entry in request.co_founders:
        invite_co_founder(founder, organisation, entry["email"], seat=entry["seat"], until=ends_at)
    request.status = FoundingRequest.Status.FOUNDED
    request.organisation = organisation
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "organisation", "decided_at"])
    return organisation


@transaction.atomic
def refuse_founding(request: FoundingRequest, reason: str) -> FoundingRequest:
    request = FoundingRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != FoundingRequest.Status.PENDING:
        raise RuleViolation(_t("This request has been decided already."))
    request.status = FoundingRequest.Status.REFUSED
    request.reason = _clean_text(reason, "reason", 2000, required=True)
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "reason", "decided_at"])
    return request


def _provisional_end(organisation):
    """When the founders' provisional terms end: co-founders' seats end then too."""
    term = (
        Term.objects.current()
        .filter(
            office__body__organisation=organisation,
            office__body__kind=BodyKind.PROVISIONAL,
            source=TermSource.FOUNDING,
        )
        .order_by("-ends_at")
        .first()
    )
    if term is None:
        raise RuleViolation(_t("The provisional period of this organisation is over."))
    return term.ends_at


@transaction.atomic
def invite_co_founder(
    founder: Member, organisation: Organisation, email: str, *, seat: str, until=None
) -> FoundingInvitation:
    """Invite someone to a provisional seat; only a founder in office may, during the period."""
    if seat not in FoundingInvitation.Seat.values:
        raise RuleViolation(_t("Choose the committee to invite to."), "seat")
    term = (
        Term.objects.current()
        .filter(
            member=founder,
            office__body__organisation=organisation,
            source=TermSource.FOUNDING,
        )
        .first()
    )
    if term is None or not founder.in_good_standing:
        raise NotPermitted(_t("Only a founder in provisional office can invite co-founders."))
    until = until or _provisional_end(organisation)
    email = _clean_emails([email], "email")[0]
    try:
        with transaction.atomic():
            invitation = FoundingInvitation.objects.create(
                organisation=organisation,
                email=email,
                seat=seat,
                invited_by=founder,
                expires_at=min(until, timezone.now() + timedelta(days=INVITATION_DAYS)),
            )
    except IntegrityError:
        raise RuleViolation(_t("This person is invited already."), "email") from None
    # The address is personal data: the public log says only that a seat was offered.
    record(
        organisation,
        "founding.invited",
        actor=founder,
        term=term,
        target=invitation,
        data={"seat": seat},
    )
    _queue_invitation(invitation)
    return invitation


def _queue_invitation(invitation: FoundingInvitation) -> None:
    """Queued with the invitation: sent once it commits, never if it rolls back."""
    queue_email(
        invitation.email,
        _t("You are invited to found %(name)s") % {"name": invitation.organisation.name},
        _t(
            "%(founder)s invites you to a seat on the %(seat)s of %(name)s, a new organisation "
            "on Tribune. The seat is provisional: it lapses when the founders' terms end, "
            "unless the members elect you.\n\nLog in (or sign up) with this email address, "
            "then accept here: %(url)s\n"
        )
        % {
            "founder": invitation.invited_by.name,
            "seat": invitation.get_seat_display().lower(),
            "name": invitation.organisation.name,
            "url": settings.TRIBUNE_SITE_URL.rstrip("/") + reverse("web:invitations"),
        },
        kind="invitation",
    )


def invitations_for(user) -> list[FoundingInvitation]:
    """Open invitations addressed to one of the user's verified email addresses."""
    if user is None or not user.is_authenticated:
        return []
    emails = [
        e.lower()
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    ]
    return list(
        FoundingInvitation.objects.filter(
            email__in=emails, accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).select_related("organisation", "invited_by")
    )


@transaction.atomic
def accept_invitation(user, invitation: FoundingInvitation, *, name: str) -> Member:
    """The invited person takes their provisional seat, ending when the founders' do."""
    invitation = FoundingInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.pk not in {i.pk for i in invitations_for(user)}:
        raise NotPermitted(
            _t("This invitation is for another email address, or it has expired or been used.")
        )
    organisation = invitation.organisation
    name = _clean_text(name, "name", 200, required=True)
    if Member.objects.filter(organisation=organisation, user=user).exists():
        raise RuleViolation(_t("You are a member of this organisation already."))
    ends_at = _provisional_end(organisation)
    now = timezone.now()
    member = Member.objects.create(
        organisation=organisation,
        user=user,
        home_branch=organisation.root_branch,
        name=name,
        email=invitation.email,
        standing=Standing.GOOD,
        admitted_at=now,
    )
    record(organisation, "member.founding", target=member)
    bodies = organisation.bodies.filter(kind=BodyKind.PROVISIONAL)
    appeals = organisation.current_constitution().appeal_body
    if invitation.seat == FoundingInvitation.Seat.APPEALS:
        body, title, mandate, powers = appeals, _t("Appeals committee member"), APPEALS_MANDATE, []
    else:
        body = bodies.exclude(pk=appeals.pk if appeals else None).first()
        title, mandate, powers = _t("Co-founder"), FOUNDER_MANDATE, list(POWERS)
    days = max(1, (ends_at - now).days)
    office = create_office(body, title=title, mandate=mandate, powers=powers, term_days=days)
    begin_term(office, member, source=TermSource.FOUNDING, days=days, starts_at=now)
    invitation.accepted_at, invitation.member = now, member
    invitation.save(update_fields=["accepted_at", "member"])
    record(organisation, "founding.accepted", actor=member, target=invitation)
    return member
