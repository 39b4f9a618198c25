"""API: factions — founding, membership, platform, statements, endorsements, dissolution.

Members are listed as ``rules.visible_memberships`` allows: a private member
appears only to themselves and to the faction's officers whose mandate
includes ``see_private_members``.
"""

from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t
from ninja import Router, Schema, Status

from tribune.api.common import organisation_and_member, require_good_standing, require_login
from tribune.api.schemas import ReasonIn, TextIn
from tribune.api.types import Id, PathText
from tribune.elections.models import Candidacy, Election
from tribune.elections.models import Status as ElectionStatus
from tribune.factions import rules, services
from tribune.factions.models import Endorsement, Faction
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.models import Member, Standing

router = Router(tags=["factions"])


class FactionSummary(Schema):
    id: int
    slug: str
    name: str
    status: str
    signatures: int
    threshold: int
    registered_at: datetime | None
    platform_version: int | None


class MemberRef(Schema):
    member_id: int
    name: str
    visibility: str


class PlatformOut(Schema):
    number: int
    text: str
    published_at: datetime
    published_by: str


class StatementOut(Schema):
    id: int
    title: str
    text: str
    published_at: datetime
    published_by: str
    office: str


class EndorsementOut(Schema):
    faction: str
    election_id: int
    candidacy_id: int
    candidate: str
    endorsed_at: datetime


class OfficerOut(Schema):
    office_id: int
    office: str
    member_id: int
    name: str
    ends_at: datetime


class FactionOut(FactionSummary):
    platform: PlatformOut | None
    members: list[MemberRef]
    members_count: int
    below_threshold_since: datetime | None
    lapses_at: datetime | None
    dissolved_at: datetime | None
    dissolved_how: str
    officers: list[OfficerOut]
    statements: list[StatementOut]
    endorsements: list[EndorsementOut]


class ProposeIn(Schema):
    name: str
    platform: str


class VisibilityIn(Schema):
    visibility: str


class MembershipOut(Schema):
    faction: str
    visibility: str
    joined_at: datetime


class StatementIn(Schema):
    title: str
    text: str


class EndorseIn(Schema):
    candidacy_id: int


class DissolutionOut(Schema):
    election_id: int
    title: str
    status: str


class ProportionalityRow(Schema):
    faction: str
    first_preferences: int
    vote_share: str
    seats: int
    seat_share: str


def _faction(organisation, faction_slug: str) -> Faction:
    return get_object_or_404(Faction, organisation=organisation, slug=faction_slug)


def _member(request, slug: str, faction_slug: str) -> tuple[Faction, Member]:
    organisation, viewer = organisation_and_member(request, slug)
    require_login(request)
    if viewer is None:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    return _faction(organisation, faction_slug), viewer


def _summary(faction: Faction, threshold: int, signatures: int | None = None) -> dict:
    platform = faction.current_platform()
    if signatures is None:
        signatures = faction.founding_signatures.filter(member__standing=Standing.GOOD).count()
    return {
        "id": faction.pk,
        "slug": faction.slug,
        "name": faction.name,
        "status": faction.status,
        "signatures": signatures,
        "threshold": threshold,
        "registered_at": faction.registered_at,
        "platform_version": platform.number if platform else None,
    }


def _platform(version) -> dict:
    return {
        "number": version.number,
        "text": version.text,
        "published_at": version.published_at,
        "published_by": version.published_by.name,
    }


def _statement(s) -> dict:
    return {
        "id": s.pk,
        "title": s.title,
        "text": s.text,
        "published_at": s.published_at,
        "published_by": s.published_by.name,
        "office": s.term.office.title,
    }


def _endorsement(e) -> dict:
    return {
        "faction": e.faction.name,
        "election_id": e.candidacy.election_id,
        "candidacy_id": e.candidacy_id,
        "candidate": e.candidacy.member.name,
        "endorsed_at": e.endorsed_at,
    }


def _detail(faction: Faction, viewer: Member | None) -> dict:
    from tribune.offices.models import Term

    constitution = faction.organisation.current_constitution()
    platform = faction.current_platform()
    since = faction.below_threshold_since
    terms = (
        Term.objects.current()
        .filter(office__body__faction=faction)
        .select_related("office", "member")
        .order_by("office_id", "starts_at")
    )
    return {
        **_summary(faction, constitution.faction_threshold),
        "platform": _platform(platform) if platform else None,
        "members": [
            {"member_id": m.member_id, "name": m.member.name, "visibility": m.visibility}
            for m in rules.visible_memberships(viewer, faction).order_by("member__name")
        ],
        "members_count": faction.memberships.count(),
        "below_threshold_since": since,
        "lapses_at": since + timedelta(days=constitution.faction_grace_days) if since else None,
        "dissolved_at": faction.dissolved_at,
        "dissolved_how": faction.dissolved_how,
        "officers": [
            {
                "office_id": t.office_id,
                "office": t.office.title,
                "member_id": t.member_id,
                "name": t.member.name,
                "ends_at": t.ends_at,
            }
            for t in terms
        ],
        "statements": [
            _statement(s) for s in faction.statements.select_related("published_by", "term__office")
        ],
        "endorsements": [
            _endorsement(e)
            for e in faction.endorsements.select_related("faction", "candidacy__member")
        ],
    }


@router.get("/{slug}/factions", response=list[FactionSummary])
def list_factions(request, slug: PathText, status: str | None = None):
    """Registered and proposed factions (with their founding signatures), and dissolved ones."""
    organisation, _viewer = organisation_and_member(request, slug)
    threshold = organisation.current_constitution().faction_threshold
    good = Q(founding_signatures__member__standing=Standing.GOOD)
    factions = Faction.objects.filter(organisation=organisation).annotate(
        good_signatures=Count("founding_signatures", filter=good)
    )
    if status:
        factions = factions.filter(status=status)
    return [_summary(f, threshold, f.good_signatures) for f in factions]


@router.get("/{slug}/factions/{faction_slug}", response=FactionOut)
def get_faction(request, slug: PathText, faction_slug: PathText):
    """A faction; its members as the caller may see them (none for non-members)."""
    organisation, viewer = organisation_and_member(request, slug)
    faction = _faction(organisation, faction_slug)
    out = _detail(faction, viewer)
    if viewer is None or not viewer.in_good_standing:
        out["members"] = []  # member lists are for members of the organisation
    return out


@router.post("/{slug}/factions", response={201: FactionOut})
def propose(request, slug: PathText, payload: ProposeIn):
    organisation, viewer = organisation_and_member(request, slug)
    require_good_standing(request, viewer)
    faction = services.propose_faction(
        viewer, organisation, name=payload.name, platform=payload.platform
    )
    return Status(201, _detail(faction, viewer))


@router.post("/{slug}/factions/{faction_slug}/signatures", response={201: FactionOut})
def sign(request, slug: PathText, faction_slug: PathText):
    faction, viewer = _member(request, slug, faction_slug)
    services.sign_founding(viewer, faction)
    faction.refresh_from_db()
    return Status(201, _detail(faction, viewer))


@router.post("/{slug}/factions/{faction_slug}/membership", response={201: MembershipOut})
def join(request, slug: PathText, faction_slug: PathText, payload: VisibilityIn):
    faction, viewer = _member(request, slug, faction_slug)
    membership = services.join_faction(viewer, faction, visibility=payload.visibility)
    return Status(201, _membership(membership))


def _membership(membership) -> dict:
    return {
        "faction": membership.faction.slug,
        "visibility": membership.visibility,
        "joined_at": membership.joined_at,
    }


@router.put("/{slug}/factions/{faction_slug}/membership", response=MembershipOut)
def set_visibility(request, slug: PathText, faction_slug: PathText, payload: VisibilityIn):
    faction, viewer = _member(request, slug, faction_slug)
    return _membership(services.set_visibility(viewer, faction, payload.visibility))


@router.delete("/{slug}/factions/{faction_slug}/membership", response={204: None})
def leave(request, slug: PathText, faction_slug: PathText):
    faction, viewer = _member(request, slug, faction_slug)
    services.leave_faction(viewer, faction)
    return Status(204, None)


@router.get("/{slug}/factions/{faction_slug}/platform", response=list[PlatformOut])
def platform_versions(request, slug: PathText, faction_slug: PathText):
    """Every version of the platform, newest first."""
    organisation, _viewer = organisation_and_member(request, slug)
    faction = _faction(organisation, faction_slug)
    return [_platform(v) for v in faction.platform_versions.select_related("published_by")]


@router.get("/{slug}/factions/{faction_slug}/platform/{number}", response=PlatformOut)
def platform_version(request, slug: PathText, faction_slug: PathText, number: Id):
    organisation, _viewer = organisation_and_member(request, slug)
    faction = _faction(organisation, faction_slug)
    return _platform(get_object_or_404(faction.platform_versions, number=number))


@router.post("/{slug}/factions/{faction_slug}/platform", response={201: PlatformOut})
def publish_platform(request, slug: PathText, faction_slug: PathText, payload: TextIn):
    faction, viewer = _member(request, slug, faction_slug)
    return Status(201, _platform(services.publish_platform(viewer, faction, payload.text)))


@router.post("/{slug}/factions/{faction_slug}/statements", response={201: StatementOut})
def publish_statement(request, slug: PathText, faction_slug: PathText, payload: StatementIn):
    faction, viewer = _member(request, slug, faction_slug)
    statement = services.publish_statement(viewer, faction, title=payload.title, text=payload.text)
    return Status(201, _statement(statement))


@router.post("/{slug}/factions/{faction_slug}/endorsements", response={201: EndorsementOut})
def endorse(request, slug: PathText, faction_slug: PathText, payload: EndorseIn):
    faction, viewer = _member(request, slug, faction_slug)
    candidacy = Candidacy.objects.filter(pk=payload.candidacy_id).first()
    if candidacy is None:
        raise RuleViolation(_t("No such candidacy."), "candidacy_id")
    return Status(201, _endorsement(services.endorse(viewer, faction, candidacy)))


@router.post("/{slug}/factions/{faction_slug}/dissolution", response={201: DissolutionOut})
def propose_dissolution(request, slug: PathText, faction_slug: PathText, payload: ReasonIn):
    faction, viewer = _member(request, slug, faction_slug)
    election = services.propose_dissolution(viewer, faction, payload.reason)
    return Status(
        201, {"election_id": election.pk, "title": election.title, "status": election.status}
    )


@router.get("/{slug}/elections/{election_id}/endorsements", response=list[EndorsementOut])
def election_endorsements(request, slug: PathText, election_id: Id):
    """Which factions endorse which candidates: ballot information, never on the ballot."""
    organisation, _viewer = organisation_and_member(request, slug)
    election = get_object_or_404(Election, organisation=organisation, pk=election_id)
    endorsements = (
        Endorsement.objects.filter(candidacy__election=election)
        .select_related("faction", "candidacy__member")
        .order_by("candidacy__member__name", "faction__name")
    )
    return [_endorsement(e) for e in endorsements]


@router.get("/{slug}/elections/{election_id}/proportionality", response=list[ProportionalityRow])
def proportionality(request, slug: PathText, election_id: Id):
    """Seats by declared faction against first-preference shares, once a multi-seat count is out."""
    organisation, _viewer = organisation_and_member(request, slug)
    election = get_object_or_404(Election, organisation=organisation, pk=election_id)
    if election.status not in (ElectionStatus.COUNTED, ElectionStatus.CERTIFIED):
        raise RuleViolation(_t("The report is published once the votes are counted."))
    if election.seats <= 1:
        raise RuleViolation(_t("The report is made for multi-seat elections."))
    return services.proportionality(election)
