"""Founding, joining, speaking for and ending factions.

The rules that protect factions are here: any members reaching the
constitution's threshold may found one; only its own members can dissolve
it (by a vote of the faction's members) or the clock can lapse it after a
grace period below the threshold; private membership stays private.
"""

from datetime import timedelta
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _t

from tribune.audit.log import private_ref, record
from tribune.factions.models import (
    Endorsement,
    Faction,
    FactionMembership,
    FactionStatus,
    FoundingSignature,
    PlatformVersion,
    Statement,
    Visibility,
)
from tribune.factions.rules import faction_term
from tribune.lib.clock import each_alone
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.models import Member, Standing
from tribune.offices.models import Body, BodyKind, Office, Term, TermSource
from tribune.offices.powers import FACTION_POWERS


def _good_member(member: Member | None, organisation) -> Member:
    if member is None or not member.in_good_standing or member.organisation_id != organisation.pk:
        raise NotPermitted(_t("Only members in good standing can do this."))
    return member


def _registered(faction: Faction) -> None:
    if faction.status != FactionStatus.REGISTERED:
        raise RuleViolation(_t("This faction is not registered."))


@transaction.atomic
def propose_faction(member: Member, organisation, *, name: str, platform: str) -> Faction:
    """Put a faction and its platform up for founding signatures (the proposer signs first)."""
    _good_member(member, organisation)
    name, platform = (name or "").strip(), (platform or "").strip()
    if not name:
        raise RuleViolation(_t("Give the faction a name."), "name")
    if not platform:
        raise RuleViolation(_t("A faction is founded on a platform: write it."), "platform")
    slug = slugify(name)[:50] or "faction"
    if Faction.objects.filter(organisation=organisation, slug=slug).exists():
        raise RuleViolation(_t("A faction with this name exists."), "name")
    faction = Faction.objects.create(
        organisation=organisation, name=name, slug=slug, proposed_by=member
    )
    PlatformVersion.objects.create(faction=faction, number=1, text=platform, published_by=member)
    record(organisation, "faction.proposed", actor=member, target=faction, data={"name": name})
    sign_founding(member, faction)
    faction.refresh_from_db()
    return faction


@transaction.atomic
def sign_founding(member: Member, faction: Faction) -> FoundingSignature:
    faction = Faction.objects.select_for_update().get(pk=faction.pk)
    _good_member(member, faction.organisation)
    if faction.status != FactionStatus.PROPOSED:
        raise RuleViolation(_t("This faction is not collecting founding signatures."))
    try:
        with transaction.atomic():
            signature = FoundingSignature.objects.create(faction=faction, member=member)
    except IntegrityError:
        raise RuleViolation(_t("You have already signed.")) from None
    # Signing is joining: like a private joining, it names no one in the public log.
    record(
        faction.organisation,
        "faction.signed",
        target=faction,
        data={"signer": private_ref(member, faction)},
    )
    threshold = faction.organisation.current_constitution().faction_threshold
    signers = faction.founding_signatures.filter(member__standing=Standing.GOOD)
    if signers.count() >= threshold:
        _register(faction)
    return signature


def _register(faction: Faction) -> None:
    constitution = faction.organisation.current_constitution()
    faction.status, faction.registered_at = FactionStatus.REGISTERED, timezone.now()
    faction.save(update_fields=["status", "registered_at"])
    founders = [s.member for s in faction.founding_signatures.select_related("member")]
    visibility = (
        Visibility.PRIVATE if constitution.private_faction_membership else Visibility.PUBLIC
    )
    for founder in founders:
        # The proposer is the faction's first convenor and the platform's author:
        # necessarily public. Every other founder joins as privately as allowed.
        FactionMembership.objects.get_or_create(
            faction=faction,
            member=founder,
            defaults={
                "visibility": Visibility.PUBLIC
                if founder.pk == faction.proposed_by_id
                else visibility
            },
        )
    body = Body.objects.create(
        organisation=faction.organisation,
        branch=faction.organisation.root_branch,
        faction=faction,
        name=_t("%(faction)s officers") % {"faction": faction.name},
        slug=f"faction-{faction.slug}"[:50],
        kind=BodyKind.COMMITTEE,
    )
    days = min(90, constitution.max_term_days)
    office = Office(
        body=body,
        title=_t("Convenor"),
        mandate=_t(
            "Speak for the faction as its members decide: publish its platform and "
            "statements, endorse candidates, keep its membership list. Provisional until "
            "the faction's members elect their convenors."
        ),
        powers=sorted(FACTION_POWERS),
        term_days=days,
        seats=2,
    )
    office.check_against(constitution)
    office.save()
    Term.objects.create(
        office=office,
        member=faction.proposed_by,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(days=days),
        source=TermSource.FOUNDING,
    )
    record(
        faction.organisation,
        "faction.registered",
        target=faction,
        data={"founders": len(founders), "body": body.pk},
    )


@transaction.atomic
def join_faction(member: Member, faction: Faction, *, visibility: str) -> FactionMembership:
    _good_member(member, faction.organisation)
    _registered(faction)
    constitution = faction.organisation.current_constitution()
    if visibility not in Visibility.values:
        raise RuleViolation(_t("Choose public or private."), "visibility")
    if visibility == Visibility.PRIVATE and not constitution.private_faction_membership:
        raise RuleViolation(
            _t("This organisation's constitution makes faction membership public."), "visibility"
        )
    if (
        constitution.factions_exclusive
        and member.faction_memberships.filter(faction__status=FactionStatus.REGISTERED)
        .exclude(faction=faction)
        .exists()
    ):
        raise RuleViolation(
            _t("The constitution allows membership of one faction at a time."), "faction"
        )
    try:
        with transaction.atomic():
            membership = FactionMembership.objects.create(
                faction=faction, member=member, visibility=visibility
            )
    except IntegrityError:
        raise RuleViolation(_t("You already belong to this faction.")) from None
    # No joining is written to the public audit log by name, not even a public one:
    # the member may make it private later, and the log cannot forget.
    record(
        faction.organisation,
        "faction.joined",
        target=faction,
        data={"member": private_ref(member, faction)},
    )
    _update_threshold(faction)
    return membership


@transaction.atomic
def leave_faction(member: Member, faction: Faction) -> None:
    membership = FactionMembership.objects.filter(faction=faction, member=member).first()
    if membership is None:
        raise RuleViolation(_t("You do not belong to this faction."))
    membership.delete()
    _leave_factions_offices(member, faction)
    record(
        faction.organisation,
        "faction.left",
        target=faction,
        data={"member": private_ref(member, faction)},
    )
    _update_threshold(faction)


def _leave_factions_offices(member: Member, faction: Faction) -> None:
    """Whoever leaves a faction leaves its offices and stops standing for them.

    A faction's offices are held and stood for by its members only; a seat kept
    by a former member would be a seat the members could not fill.
    """
    from tribune.elections.models import Candidacy, Status

    now = timezone.now()
    Term.objects.filter(member=member, office__body__faction=faction, ends_at__gt=now).exclude(
        ended_at__lte=now
    ).update(ended_at=now, end_reason=_t("left the faction"))
    Candidacy.objects.filter(
        member=member,
        election__faction=faction,
        election__status__in=[Status.CALLED, Status.NOMINATIONS],
        withdrawn_at__isnull=True,
    ).update(withdrawn_at=now)


@transaction.atomic
def set_visibility(member: Member, faction: Faction, visibility: str) -> FactionMembership:
    membership = FactionMembership.objects.filter(faction=faction, member=member).first()
    if membership is None:
        raise RuleViolation(_t("You do not belong to this faction."))
    if visibility not in Visibility.values:
        raise RuleViolation(_t("Choose public or private."), "visibility")
    constitution = faction.organisation.current_constitution()
    if visibility == Visibility.PRIVATE and not constitution.private_faction_membership:
        raise RuleViolation(
            _t("This organisation's constitution makes faction membership public."), "visibility"
        )
    membership.visibility = visibility
    membership.save(update_fields=["visibility"])
    return membership


@transaction.atomic
def publish_platform(member: Member, faction: Faction, text: str) -> PlatformVersion:
    _registered(faction)
    term = faction_term(member, faction, "publish_platform")
    if not (text or "").strip():
        raise RuleViolation(_t("The platform is empty."), "text")
    number = (faction.current_platform().number if faction.current_platform() else 0) + 1
    version = PlatformVersion.objects.create(
        faction=faction, number=number, text=text, published_by=member
    )
    record(faction.organisation, "faction.platform", actor=member, term=term, target=version)
    return version


@transaction.atomic
def publish_statement(member: Member, faction: Faction, *, title: str, text: str) -> Statement:
    _registered(faction)
    term = faction_term(member, faction, "publish_statements")
    if not (title or "").strip() or not (text or "").strip():
        raise RuleViolation(_t("A statement needs a title and a text."), "text")
    statement = Statement.objects.create(
        faction=faction, title=title, text=text, published_by=member, term=term
    )
    record(faction.organisation, "faction.statement", actor=member, term=term, target=statement)
    return statement


@transaction.atomic
def endorse(member: Member, faction: Faction, candidacy) -> Endorsement:
    from tribune.elections.models import Status

    _registered(faction)
    term = faction_term(member, faction, "endorse_candidates")
    election = candidacy.election
    if election.organisation_id != faction.organisation_id:
        raise RuleViolation(_t("That election belongs to another organisation."))
    if election.status not in (Status.NOMINATIONS, Status.NOMINATIONS_CLOSED, Status.VOTING):
        raise RuleViolation(_t("Endorsements are made before voting closes."))
    endorsement, created = Endorsement.objects.get_or_create(
        faction=faction, candidacy=candidacy, defaults={"term": term}
    )
    if not created:
        raise RuleViolation(_t("The faction already endorses this candidate."))
    record(faction.organisation, "faction.endorsed", actor=member, term=term, target=candidacy)
    return endorsement


def propose_dissolution(member: Member, faction: Faction, reason: str):
    """Any member of the faction may put its dissolution to the faction's members."""
    from tribune.elections.services import call_dissolution_vote

    _registered(faction)
    if not faction.memberships.filter(member=member).exists():
        raise NotPermitted(_t("Only the faction's own members can propose to dissolve it."))
    if not (reason or "").strip():
        raise RuleViolation(_t("Give the reason."), "reason")
    election = call_dissolution_vote(
        faction,
        title=_t("Dissolve %(faction)s?") % {"faction": faction.name},
        question=reason,
    )
    record(faction.organisation, "faction.dissolution_proposed", actor=member, target=election)
    return election


def dissolve(faction: Faction, *, how: str) -> Faction:
    """End a faction; callable only from its members' vote or the threshold lapse."""
    now = timezone.now()
    faction.status, faction.dissolved_at, faction.dissolved_how = FactionStatus.DISSOLVED, now, how
    faction.save(update_fields=["status", "dissolved_at", "dissolved_how"])
    for term in Term.objects.current(now).filter(office__body__faction=faction):
        term.ended_at, term.end_reason = now, _t("the faction was dissolved")
        term.save(update_fields=["ended_at", "end_reason"])
    record(faction.organisation, "faction.dissolved", target=faction, data={"how": how})
    return faction


def _update_threshold(faction: Faction, now=None) -> None:
    now = now or timezone.now()
    if faction.status != FactionStatus.REGISTERED:
        return
    constitution = faction.organisation.current_constitution()
    size = faction.memberships.filter(member__standing=Standing.GOOD).count()
    if size < constitution.faction_threshold and faction.below_threshold_since is None:
        faction.below_threshold_since = now
        faction.save(update_fields=["below_threshold_since"])
        data = {"members": size, "grace_days": constitution.faction_grace_days}
        record(faction.organisation, "faction.below_threshold", target=faction, data=data)
    elif size >= constitution.faction_threshold and faction.below_threshold_since is not None:
        faction.below_threshold_since = None
        faction.save(update_fields=["below_threshold_since"])
        record(faction.organisation, "faction.recovered", target=faction, data={"members": size})


def check_thresholds(now=None) -> int:
    """The daily check: note factions below the threshold; lapse those past the grace period.

    Each faction is checked alone (``each_alone``): one that fails is logged and
    skipped, and the others are still checked.
    """
    now = now or timezone.now()

    def check(faction: Faction) -> bool:
        _update_threshold(faction, now)
        grace = faction.organisation.current_constitution().faction_grace_days
        since = faction.below_threshold_since
        if since is None or now - since < timedelta(days=grace):
            return False
        dissolve(
            faction,
            how=_t("Below the founding threshold for %(days)s days") % {"days": grace},
        )
        return True

    factions = Faction.objects.filter(status=FactionStatus.REGISTERED)
    return sum(each_alone(list(factions), check, what="faction"))


def proportionality(election) -> list[dict]:
    """Seats won by declared faction affiliation against first-preference shares."""
    from tribune.elections.models import Status
    from tribune.elections.services import once_certified

    if election.status not in (Status.COUNTED, Status.CERTIFIED) or election.seats < 2:
        # Before the count this would be a running tally of a secret vote.
        raise RuleViolation(_t("The report is made after a multi-seat election is counted."))
    return once_certified(election, "proportionality", lambda: _proportionality(election))


def _proportionality(election) -> list[dict]:
    from tribune.elections.services import published_box

    box = published_box(election)
    total = len(box) or 1
    candidacies = {c.pk: c for c in election.candidacies.all()}
    rows: dict[str, dict] = {}
    for candidacy in candidacies.values():
        label = candidacy.faction_label or _t("No declared faction")
        rows.setdefault(label, {"faction": label, "first_preferences": 0, "seats": 0})
        rows[label]["seats"] += candidacy.elected_rank is not None
    for ballot in box:
        if ballot["choice"]:
            first = candidacies[ballot["choice"][0]]
            rows[first.faction_label or _t("No declared faction")]["first_preferences"] += 1
    seats = election.seats or 1
    for row in rows.values():
        row["vote_share"] = f"{float(Fraction(row['first_preferences'], total) * 100):.1f}"
        row["seat_share"] = f"{float(Fraction(row['seats'], seats) * 100):.1f}"
    return sorted(rows.values(), key=lambda r: -r["first_preferences"])
