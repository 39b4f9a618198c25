"""The world the permission matrix runs in: the demo organisation, plus one person per role.

The demo (``organisations.demo``) already holds every kind of object a route can
name — a past and an open election, a recall petition, three factions with
private members, debate threads with a moderated post and its appeal, a closed
congress with named votes and an upcoming one with a speakers list, a
programme with two versions. This module adds what the demo lacks: a logged-in
person for each role the matrix checks, an election taking nominations, a
mandate report, an import job and a second organisation, and it names the
objects each path parameter resolves to.

Roles (the order of the table's columns, ``ROLES``):

* ``anonymous`` — nobody logged in;
* ``applicant`` — applied to the demo organisation, not yet admitted;
* ``member`` — Ben, an ordinary member in good standing;
* ``suspended`` — a member suspended (with due process);
* ``elsewhere`` — an officer whose mandate (admissions, standing, elections,
  assemblies, branches) reaches the Millbrook branch only, while every object
  the matrix names sits in the South region or at the national level;
* ``faction`` — the convenor of the Left Unity faction (sees its private members);
* ``outsider`` — a member in good standing of another organisation;
* ``officer`` — Ana, the branch secretary, whose mandate reaches the whole
  organisation (the column that shows an officer's route is not closed to all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

ROLES = (
    "anonymous",
    "applicant",
    "member",
    "suspended",
    "elsewhere",
    "faction",
    "outsider",
    "officer",
)


@dataclass
class MatrixWorld:
    """The demo organisation, a user per role, and the object each path parameter names."""

    users: dict = field(default_factory=dict)  # role -> User (None for anonymous)
    params: dict = field(default_factory=dict)  # path parameter -> value
    overrides: dict = field(default_factory=dict)  # route key -> {parameter: value}
    # Texts that must not reach a role that may not see them (checked in every GET):
    emails: list = field(default_factory=list)  # every member's email address
    member_names: list = field(default_factory=list)  # ordinary members' names
    private_name: str = ""  # a private member of Left Unity
    private_member_id: int = 0


def _user(username: str, email: str):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username=username, email=email, password="correct horse battery staple"
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def build() -> MatrixWorld:
    """Build the demo and every role's person and object, through the real services."""
    from allauth.mfa.models import Authenticator

    from tribune.assemblies.models import LiveVote
    from tribune.debate.models import ModerationAction
    from tribune.elections import services as elections
    from tribune.elections.models import Ballot, Kind, RecallPetition, Status
    from tribune.factions.models import FactionMembership, Visibility
    from tribune.members import importing
    from tribune.members import services as members
    from tribune.members.models import Member, Standing
    from tribune.offices.models import BodyKind, Office, TermSource
    from tribune.offices.services import begin_term, create_body, create_office
    from tribune.organisations.demo import CONSTITUTION, create_demo
    from tribune.organisations.models import FoundingInvitation
    from tribune.organisations.services import found_organisation

    org = create_demo(members=80)
    world = MatrixWorld()
    branches = {b.slug: b for b in org.branches.all()}
    by_email = {m.email: m for m in org.members.all()}
    ana, dana = by_email["ana@example.org"], by_email["dana@example.org"]
    world.users["anonymous"] = None
    world.users["officer"] = ana.user
    world.users["member"] = by_email["ben@example.org"].user

    applicant = members.apply_for_membership(
        org,
        user=_user("applicant", "applicant@example.org"),
        name="Ada Applicant",
        email="applicant@example.org",
        branch=branches["riverside"],
    )
    world.users["applicant"] = applicant.user

    suspended = members.apply_for_membership(
        org,
        user=_user("suspended", "suspended@example.org"),
        name="Sid Suspended",
        email="suspended@example.org",
        branch=branches["riverside"],
    )
    members.admit_member(ana, suspended)
    change = members.suspend_member(ana, suspended, "Broke the safeguarding policy.")
    world.users["suspended"] = suspended.user

    elsewhere = members.apply_for_membership(
        org,
        user=_user("elsewhere", "elsewhere@example.org"),
        name="Els Elsewhere",
        email="elsewhere@example.org",
        branch=branches["millbrook"],
    )
    members.admit_member(ana, elsewhere)
    millbrook = create_body(
        org, name="Millbrook committee", kind=BodyKind.COMMITTEE, branch=branches["millbrook"]
    )
    secretary = create_office(
        millbrook,
        title="Millbrook secretary",
        mandate="Run the Millbrook branch.",
        powers=[
            "admit_members",
            "suspend_members",
            "manage_standing",
            "call_elections",
            "manage_branches",
            "convene_assemblies",
            "moderate_debate",
            "view_member_contacts",
            "import_members",
            "run_struggles",
        ],
    )
    begin_term(secretary, elsewhere, source=TermSource.ELECTION)
    Authenticator.objects.create(
        user=elsewhere.user, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    world.users["elsewhere"] = elsewhere.user

    left = org.factions.get(name="Left Unity")
    convenor = left.proposed_by
    convenor.user = _user("convenor", convenor.email)
    convenor.save(update_fields=["user"])
    world.users["faction"] = convenor.user
    private = (
        FactionMembership.objects.filter(faction=left, visibility=Visibility.PRIVATE)
        .exclude(member=convenor)
        .select_related("member")
        .first()
    )
    world.private_name, world.private_member_id = private.member.name, private.member_id

    other = found_organisation(
        name="Other Union",
        slug="other-union",
        constitution=dict(CONSTITUTION),
        founders=[
            {
                "name": "Otto Outsider",
                "email": "otto@other.test",
                "user": _user("outsider", "otto@other.test"),
                "office": "Secretary",
                "powers": ["admit_members", "call_elections", "convene_assemblies"],
            }
        ],
    )
    world.users["outsider"] = other.members.get().user

    # Objects the demo lacks.
    pending = members.apply_for_membership(
        org, user=None, name="Pat Pending", email="pat@example.org", branch=branches["riverside"]
    )
    Authenticator.objects.create(user=dana.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    job = importing.check_import(
        dana, org, "name,email,branch\nIra Import,ira@example.org,riverside\n", "list.csv"
    )
    _second_constitution(org)
    open_election = elections.call_election(
        ana, office=Office.objects.get(body__organisation=org, title="Treasurer")
    )
    cam = by_email["cam@example.org"]
    candidacy = elections.nominate(cam, open_election, cam, statement="I keep books.")
    petition = RecallPetition.objects.filter(term__office__body__organisation=org).first()
    term = petition.term
    report = elections.publish_report(term.member, term, title="Our month", done="Held surgeries.")
    certified = org.elections.get(
        status=Status.CERTIFIED, kind=Kind.OFFICE, office__title="Committee member"
    )
    voting = org.elections.get(status=Status.VOTING, kind=Kind.OFFICE)
    tracker = Ballot.objects.filter(election=certified).values_list("tracker", flat=True).first()
    thread = org.threads.filter(faction__isnull=True).order_by("pk").first()
    moderation = ModerationAction.objects.get(post__thread__organisation=org, rule__number=1)
    first = org.assemblies.get(title="First congress")
    second = org.assemblies.get(title="Second congress")
    vote = LiveVote.objects.filter(assembly=first).order_by("pk").first()
    item = second.agenda.order_by("position").first()

    from tribune.archive.models import Appeal as ArchiveAppeal
    from tribune.archive.models import Document

    founding = Document.objects.get(organisation=org, versions__number=2)
    leaflet = Document.objects.get(organisation=org, versions__format="pdf")
    archive_appeal = ArchiveAppeal.objects.get(decision__version__document__organisation=org)
    strike = org_struggle(org)
    from tribune.education.models import Circle

    online_circle = Circle.objects.get(organisation=org, branch=None)  # ben facilitates it
    world.params = {
        "slug": org.slug,
        "branch_slug": "riverside",
        "member_id": by_email["cam@example.org"].pk,
        "change_id": change.pk,
        "job_id": job.pk,
        "election_id": open_election.pk,
        "pk": open_election.pk,
        "candidacy_id": candidacy.pk,
        "tracker": tracker,
        "petition_id": petition.pk,
        "office_id": term.office_id,
        "term_id": term.pk,
        "report_id": report.pk,
        "faction_slug": left.slug,
        "number": 1,
        "thread_id": thread.pk,
        "post_id": moderation.post_id,
        "action_id": moderation.pk,
        "appeal_id": moderation.appeal.pk,
        "participant_id": second.participants.order_by("pk").first().pk,
        "item_id": item.pk,
        "motion_id": second.motions.order_by("pk").first().pk,
        "vote_id": vote.pk,
        "rule_id": moderation.rule_id,
        "voting_candidacy_id": voting.candidacies.order_by("pk").first().pk,
        "old": 1,
        "new": 2,
        # The archive: the founding statement (public, two versions), the refusal under appeal.
        "document_id": founding.pk,
        "decision_id": archive_appeal.decision_id,
        # The demo's rent strike (Riverside), its pledge, tenants' meeting and call for people.
        "struggle_id": strike.pk,
        "pledge_id": strike.pledges.get().pk,
        "event_id": strike.events.order_by("starts_at").first().pk,
        "request_id": strike.solidarity_requests.get().pk,
        "task_id": strike.tasks.filter(event__isnull=True).get().pk,
        "token": _calendar_token(by_email["cam@example.org"]),
        # The demo's core course and its online circle (Ben, a graduate, facilitates it).
        "course_id": online_circle.course_id,
        "circle_id": online_circle.pk,
        "circle_session_id": online_circle.sessions.order_by("event__starts_at").first().pk,
        "session_id": online_circle.sessions.order_by("event__starts_at").first().pk,
        # The demo's network and coalition (tribune.networks.demo), and the other union's
        # address to invite into them.
        "network": "housing-justice",
        "network_slug": "housing-justice",
        "coalition": "rent-freeze",
        "coalition_slug": "rent-freeze",
        "other_uri": other.uri,
        # A co-founder's invitation addressed to none of the roles: only its invitee accepts.
        "invitation_id": FoundingInvitation.objects.create(
            organisation=org,
            email="invitee@example.net",
            invited_by=by_email["ana@example.org"],
            expires_at=timezone.now() + timedelta(days=30),
        ).pk,
    }
    from tribune.networks.models import ConcertPledge

    concert = {"pledge_id": ConcertPledge.objects.get(coalition__slug="rent-freeze").pk}
    assembly = {"pk": first.pk, "motion_id": first.motions.order_by("pk").first().pk}
    upcoming = {"pk": second.pk}
    world.overrides = {
        # A coalition pledge, not the rent strike's own.
        "open_chapter": concert,
        "concert_chapter": concert,
        # Application decisions name the pending applicant; reinstating, the suspended member.
        "admit": {"member_id": pending.pk},
        "refuse": {"member_id": pending.pk},
        "decide_application": {"member_id": pending.pk},
        "reinstate": {"member_id": suspended.pk},
        "POST $A/elections/{election_id}/ballots": {"election_id": voting.pk},
        # The certified election has a published box and trackers.
        "box": {"election_id": certified.pk, "pk": certified.pk},
        "box_blt": {"election_id": certified.pk, "pk": certified.pk},
        "box_json": {"pk": certified.pk},
        "check_tracker": {"election_id": certified.pk},
        "election_endorsements": {"election_id": certified.pk},
        "proportionality": {"election_id": certified.pk},
        "recall": {"pk": petition.pk},
        "recall_sign": {"pk": petition.pk},
        "recall_reply": {"pk": petition.pk},
        "thread": {"pk": thread.pk},
        # The archive: the PDF leaflet's file; the appeal against a refusal.
        "archive_pdf": {"document_id": leaflet.pk},
        "archive_appeal_decide": {"appeal_id": archive_appeal.pk},
        "POST $A/archive/appeals/{appeal_id}/decide": {"appeal_id": archive_appeal.pk},
        "debate_reply": {"pk": thread.pk},
        "debate_follow": {"pk": thread.pk},
        # The closed first congress holds the named votes and the minutes; the upcoming
        # one the speakers list, participants to act on, and motions to amend.
        **{
            name: assembly
            for name in (
                "get_assembly",
                "close_assembly",
                "list_participants",
                "seat_participants",
                "minutes",
                "minutes_md",
                "list_votes",
                "get_vote",
                "open_vote",
                "cast",
                "close_vote",
                "cast_ranking",
                "assembly",
                "assembly_live",
                "projector",
                "assembly_events",
            )
        },
        # Sessions and check-in: the upcoming congress, which sits.
        **{
            key: upcoming
            for key in (
                "GET $A/assemblies/{pk}/session",
                "POST $A/assemblies/{pk}/session/open",
                "POST $A/assemblies/{pk}/session/suspend",
                "POST $A/assemblies/{pk}/session/resume",
                "POST $A/assemblies/{pk}/attendance",
                "attendance",
                "participant_search",
            )
        },
        # Version 2 of the constitution, compared with version 1.
        "GET $A/constitution/versions/{number}/diff": {"number": 2},
        **{
            name: upcoming
            for name in (
                "call_delegate_elections",
                "call_congress_elections",
                "add_substitute",
                "transfer_vote",
                "give_proxy",
                "revoke_proxy",
                "add_agenda_item",
                "set_current_item",
                "list_speakers",
                "request_to_speak",
                "next_speaker",
                "list_motions",
                "table_motion",
                "get_motion",
                "table_amendment",
                "open_ranking_vote",
                "add_agenda_item",
                "chair_action",
                "speak",
                "proxy",
                "substitute",
                "transfer",
            )
        },
    }
    everyone = Member.objects.filter(organisation=org)
    # (The demo's description invites visitors to log in as ana@example.org: not a leak.)
    world.emails = sorted(
        e for e in everyone.values_list("email", flat=True) if e and e not in org.description
    )
    # The names of members who hold no office and stand for none: what the
    # membership list, the participants and named votes would reveal.
    public = (
        {t.member.name for t in _current_terms(org)}
        | {c.member.name for c in _candidacies(org)}
        | {f.proposed_by.name for f in org.factions.all()}
    )
    world.member_names = sorted(
        {
            m.name
            for m in everyone.filter(standing=Standing.GOOD)
            if m.name not in public and len(m.name) > 6
        }
    )
    # A nomination by an ordinary member: who nominated whom is for members.
    nominator = everyone.get(name=world.member_names[1], standing=Standing.GOOD)
    nominee = everyone.get(name=world.member_names[2], standing=Standing.GOOD)
    elections.nominate(nominator, open_election, nominee)
    world.member_names.remove(nominee.name)  # a candidate stands in public
    # A member's comment on a mandate report: members' speech, for members.
    commenter = everyone.get(name=world.member_names[0], standing=Standing.GOOD)
    elections.comment_on_report(commenter, report, "When is the next surgery?")
    # The task worker has run (its heartbeat), so /healthz answers 200 (tribune/ops/health.py).
    from tribune.ops import health

    health.beat()
    return world


def org_struggle(org):
    from tribune.struggles.models import Struggle

    return Struggle.objects.get(organisation=org, title="Riverside Court rent strike")


def _calendar_token(member) -> str:
    from tribune.struggles.services.events import new_calendar_token

    return new_calendar_token(member)


def _current_terms(org):
    from tribune.offices.models import Term

    return Term.objects.filter(office__body__organisation=org).select_related("member")


def _candidacies(org):
    from tribune.elections.models import Candidacy

    return Candidacy.objects.filter(election__organisation=org).select_related("member")


def _second_constitution(org) -> None:
    """An amended constitution, with a treasurer added to the executive committee."""
    from tribune.constitution import structure as structures
    from tribune.constitution.services import adopt

    current = org.current_constitution()
    structure, _ = structures.put_office(
        current.structure,
        current,
        "executive-committee",
        title="Treasurer",
        mandate="Keep the accounts.",
    )
    adopt(
        org,
        {"term_limit": current.term_limit + 1, "structure": structure},
        how="Adopted by members' vote (matrix world)",
    )
