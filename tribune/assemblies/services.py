"""Running an assembly: participants, agenda, motions, amendments, speakers, live votes.

The chair acts through the chair's office (a mandate for this assembly
only); every refusal is a RuleViolation with its reason; live changes are
published to the assembly's event channel after each transaction commits.
Votes are elections of kind ``assembly`` so they inherit ballot secrecy,
counting and the published box.
"""

import hashlib
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, connections, transaction
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import ngettext

from tribune.assemblies import apportionment, sessions, speakers, textmerge
from tribune.assemblies.models import (
    AgendaItem,
    Amendment,
    Assembly,
    LiveVote,
    Motion,
    MotionVersion,
    NamedVote,
    Participant,
    Programme,
    ProgrammeSection,
    ProgrammeVersion,
    Proxy,
    SpeakerRequest,
)
from tribune.audit.log import record
from tribune.constitution import services as constitution_services
from tribune.elections import services as elections
from tribune.elections.models import (
    YES_NO_CHOICES,
    Election,
    Kind,
    Method,
    Status,
    VoterRoll,
)
from tribune.elections.services import casting
from tribune.lib import events
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.lib.inputs import MAX_SEATS, check_moment, check_whole_number, clean_text
from tribune.lib.prepared import PreparedFirst
from tribune.members.models import Member, Standing
from tribune.offices.models import Body, BodyKind, Office, Term
from tribune.offices.rules import mandate_for
from tribune.offices.services import single_use_office


def channel(assembly: Assembly) -> str:
    return f"assembly-{assembly.pk}"


def _event(assembly: Assembly, event: str, **data) -> None:
    events.publish(channel(assembly), event, data)


# --- convening ---------------------------------------------------------------------


@transaction.atomic
def convene(
    actor: Member,
    branch,
    *,
    title: str,
    kind: str,
    starts_at,
    ends_at,
    motions_deadline,
    chair: Member,
    **standing_orders,
) -> Assembly:
    """Convene an assembly of ``branch`` and seat its chair in an office for it alone."""
    term = mandate_for(actor, "convene_assemblies", branch)
    for field, moment in (
        ("starts_at", starts_at),
        ("ends_at", ends_at),
        ("motions_deadline", motions_deadline),
    ):
        check_moment(moment, field=field)  # the chair's office runs to ends_at + 1 day
    seats = standing_orders.get("delegate_seats") or 0
    check_whole_number(seats, field="delegate_seats", low=0, high=MAX_SEATS)
    if not (motions_deadline <= starts_at < ends_at):
        raise RuleViolation(
            _t("The motions deadline comes before the assembly, which starts before it ends."),
            "starts_at",
        )
    if kind not in Assembly.Kind.values:
        raise RuleViolation(_t("Choose a kind of assembly."), "kind")
    sessions.check_standing_orders(branch.organisation, standing_orders)
    assembly = Assembly.objects.create(
        organisation=branch.organisation,
        branch=branch,
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        motions_deadline=motions_deadline,
        **standing_orders,
    )
    office = single_use_office(
        branch.organisation,
        body_slug="assembly-chairs",
        body_name=_t("Assembly chairs"),
        title=_t("Chair: %(title)s") % {"title": title},
        mandate=_t(
            "Chair this assembly under its standing orders: keep the agenda and the list of "
            "speakers fairly, open and close votes, and have the minutes published."
        ),
        holder=chair,
        until=ends_at + timedelta(days=1),
    )
    assembly.chair_office = office
    assembly.save(update_fields=["chair_office"])
    record(
        branch.organisation,
        "assembly.convened",
        actor=actor,
        term=term,
        target=assembly,
        data={"kind": kind, "chair": chair.pk},
    )
    return assembly


def chair_term(member: Member | None, assembly: Assembly) -> Term:
    term = (
        Term.objects.current().filter(office=assembly.chair_office, member=member).first()
        if member is not None and assembly.chair_office_id
        else None
    )
    if term is None or not member.in_good_standing:
        raise NotPermitted(_t("Only the chair of this assembly can do this."))
    return term


def unit_members(assembly: Assembly):
    return Member.objects.filter(
        organisation=assembly.organisation,
        standing=Standing.GOOD,
        home_branch_id__in=assembly.branch.subtree_ids(),
    )


def delegations(assembly: Assembly) -> dict:
    """Seats per local branch (branches with no branch below them), by the stated method."""
    subtree = assembly.branch.subtree_ids()
    branches = [b for b in assembly.organisation.branches.filter(pk__in=subtree)]
    parents = {b.parent_id for b in branches}
    local = [b for b in branches if b.pk not in parents] or [assembly.branch]
    counts = {}
    for branch in local:
        counts[branch] = Member.objects.filter(
            standing=Standing.GOOD, home_branch_id__in=branch.subtree_ids()
        ).count()
    seats = apportionment.METHODS[assembly.apportionment](
        {b.slug: n for b, n in counts.items()}, assembly.delegate_seats
    )
    return {b: (counts[b], seats[b.slug]) for b in local}


@transaction.atomic
def call_delegate_elections(actor: Member, assembly: Assembly) -> list[Election]:
    """Each branch elects its delegates (proportional, by STV where several)."""
    chair_term(actor, assembly)
    if assembly.kind != Assembly.Kind.DELEGATES:
        raise RuleViolation(_t("A general assembly has no delegates to elect."))
    called = []
    constitution = assembly.organisation.current_constitution()
    for branch, (members, seats) in delegations(assembly).items():
        if not seats:
            continue
        body = Body.objects.create(
            organisation=assembly.organisation,
            branch=branch,
            name=_t("Delegation of %(branch)s to %(assembly)s")
            % {"branch": branch.name, "assembly": assembly.title},
            slug=f"delegation-{assembly.pk}-{branch.slug}"[:50],
            kind=BodyKind.DELEGATION,
        )
        days = max(1, min((assembly.ends_at - timezone.now()).days + 2, constitution.max_term_days))
        office = Office.objects.create(
            body=body,
            title=_t("Delegate"),
            mandate=_t(
                "Represent the branch's %(n)s members at %(assembly)s, report back to them, "
                "and vote as the branch has debated."
            )
            % {"n": members, "assembly": assembly.title},
            term_days=days,
            seats=seats,
        )
        called.append(elections.call_election(None, office=office))
    return called


@transaction.atomic
def call_congress_elections(actor: Member, assembly: Assembly) -> list[Election]:
    """The chair calls the elections the structure gives to a congress.

    For every office a congress elects whose seats are not filled beyond the
    congress's end and the lead time: nominations open now and close when the
    congress opens, and its participants vote while it sits.
    """
    term = chair_term(actor, assembly)
    if assembly.branch.parent_id is not None:
        raise RuleViolation(_t("Only a congress of the whole organisation elects these offices."))
    if timezone.now() >= assembly.starts_at - timedelta(hours=1):
        raise RuleViolation(
            _t("Call the congress's elections before it opens: nominations close when it does.")
        )
    constitution = assembly.organisation.current_constitution()
    called = []
    offices = Office.objects.filter(
        body__organisation=assembly.organisation,
        electorate_kind="congress",
        abolished_at__isnull=True,
    )
    for office in offices:
        horizon = assembly.ends_at + elections.election_lead(office, constitution)
        covered = Term.objects.filter(
            office=office, ends_at__gt=horizon, ended_at__isnull=True
        ).count()
        pending = (
            Election.objects.filter(office=office)
            .exclude(status__in=[Status.CERTIFIED, Status.CANCELLED])
            .exists()
        )
        if covered < office.seats and not pending:
            called.append(
                elections.call_congress_election(office, assembly, seats=office.seats - covered)
            )
    record(
        assembly.organisation,
        "assembly.congress_elections",
        actor=actor,
        term=term,
        target=assembly,
        data={"elections": [e.pk for e in called]},
    )
    return called


@transaction.atomic
def seat_participants(actor: Member, assembly: Assembly) -> int:
    """Fill the list of participants: every member, or the delegates in office now."""
    chair_term(actor, assembly)
    if assembly.kind == Assembly.Kind.GENERAL:
        rows = [
            Participant(assembly=assembly, member=m, delegation=m.home_branch)
            for m in unit_members(assembly)
        ]
    else:
        rows = []
        terms = (
            Term.objects.current()
            .filter(
                office__body__slug__startswith=f"delegation-{assembly.pk}-",
                office__body__organisation=assembly.organisation,
            )
            .select_related("office__body__branch", "member")
        )
        by_branch: dict = {}
        for term in terms:
            by_branch.setdefault(term.office.body.branch, []).append(term.member)
        represented = {b: n for b, (n, _s) in delegations(assembly).items()}
        for branch, delegates in by_branch.items():
            share = apportionment.largest_remainder(
                {str(d.pk): 1 for d in delegates}, represented.get(branch, 0)
            )
            for delegate in delegates:
                weight = share[str(delegate.pk)] if assembly.weighted_votes else 1
                rows.append(
                    Participant(
                        assembly=assembly, member=delegate, delegation=branch, weight=max(weight, 1)
                    )
                )
    Participant.objects.bulk_create(rows, ignore_conflicts=True)
    _event(assembly, "participants", count=assembly.participants.count())
    return len(rows)


@transaction.atomic
def add_substitute(actor: Member, delegate: Participant, member: Member) -> Participant:
    chair_term(actor, delegate.assembly)
    if member.home_branch_id not in (delegate.delegation or delegate.assembly.branch).subtree_ids():
        raise RuleViolation(_t("A substitute comes from the delegate's own branch."), "member")
    try:
        with transaction.atomic():
            return Participant.objects.create(
                assembly=delegate.assembly,
                member=member,
                delegation=delegate.delegation,
                weight=delegate.weight,
                substitute_for=delegate,
                voting=False,
            )
    except IntegrityError:
        raise RuleViolation(_t("This member already takes part.")) from None


def _no_open_vote(assembly: Assembly) -> None:
    if assembly.votes.filter(election__status=Status.VOTING).exists():
        raise RuleViolation(_t("Not while a vote is open."))


@transaction.atomic
def transfer_vote(
    delegate: Participant, to_substitute: bool, *, actor: Member | None = None
) -> Participant:
    """A delegate hands their vote to their substitute, or takes it back.

    When ``actor`` is given (a request from the web or the API), only the
    delegate themselves or the chair may do it.
    """
    if actor is not None and actor.pk != delegate.member_id:
        chair_term(actor, delegate.assembly)
    _no_open_vote(delegate.assembly)
    substitute = delegate.substitutes.first()
    if substitute is None:
        raise RuleViolation(_t("This delegate has no substitute."))
    delegate.voting, substitute.voting = not to_substitute, to_substitute
    delegate.save(update_fields=["voting"])
    substitute.save(update_fields=["voting"])
    return substitute if to_substitute else delegate


@transaction.atomic
def give_proxy(giver: Participant, holder: Participant) -> Proxy:
    assembly = giver.assembly
    if not assembly.proxies_allowed:
        raise RuleViolation(_t("The standing orders do not allow proxies."))
    if holder.assembly_id != assembly.pk or holder.pk == giver.pk:
        raise RuleViolation(_t("Give your proxy to another participant."), "holder")
    if Proxy.objects.filter(giver=holder).exists():
        raise RuleViolation(_t("That participant has given their own vote away."), "holder")
    _no_open_vote(assembly)
    Proxy.objects.filter(giver=giver).delete()
    return Proxy.objects.create(giver=giver, holder=holder)


@transaction.atomic
def revoke_proxy(giver: Participant) -> None:
    _no_open_vote(giver.assembly)
    if not Proxy.objects.filter(giver=giver).delete()[0]:
        raise RuleViolation(_t("You have not given a proxy."))


@transaction.atomic
def close_assembly(actor: Member, assembly: Assembly) -> Assembly:
    """The chair closes the assembly: no vote may open after, and the minutes are final."""
    term = chair_term(actor, assembly)
    sessions.lock_assembly(assembly)  # its status read afresh: the sitting under way ends
    _no_open_vote(assembly)
    if assembly.status == Assembly.Status.CLOSED:
        raise RuleViolation(_t("This assembly is closed."))
    sessions.end_sitting(actor, assembly, "closed")
    assembly.status = Assembly.Status.CLOSED
    assembly.save(update_fields=["status"])
    assembly.agenda.filter(status=AgendaItem.Status.CURRENT).update(status=AgendaItem.Status.DONE)
    record(assembly.organisation, "assembly.closed", actor=actor, term=term, target=assembly)
    _event(assembly, "current_item", item=None, title="")
    _event(assembly, "session", state=assembly.status)
    return assembly


# --- agenda, motions, amendments -------------------------------------------------------


@transaction.atomic
def add_agenda_item(
    actor: Member, assembly: Assembly, *, title: str, minutes: int = 30, report: str = ""
) -> AgendaItem:
    chair_term(actor, assembly)
    position = assembly.agenda.count() + 1
    item = AgendaItem.objects.create(
        assembly=assembly, position=position, title=title, minutes=minutes, report=report
    )
    _event(assembly, "agenda")
    return item


@transaction.atomic
def set_current_item(actor: Member, item: AgendaItem) -> AgendaItem:
    chair_term(actor, item.assembly)
    item.assembly.agenda.filter(status=AgendaItem.Status.CURRENT).update(
        status=AgendaItem.Status.DONE
    )
    item.status = AgendaItem.Status.CURRENT
    item.save(update_fields=["status"])
    _event(item.assembly, "current_item", item=item.pk, title=item.title)
    return item


def _before_deadline(assembly: Assembly) -> None:
    if timezone.now() > assembly.motions_deadline:
        raise RuleViolation(_t("The deadline for motions and amendments has passed."))


def _in_unit(member: Member, assembly: Assembly) -> None:
    if not unit_members(assembly).filter(pk=member.pk).exists():
        raise NotPermitted(_t("Only members of this assembly's unit may table motions."))


@transaction.atomic
def table_motion(
    member: Member,
    assembly: Assembly,
    *,
    title: str,
    text: str,
    agenda_item: AgendaItem | None = None,
    branch=None,
    faction=None,
    programme_section: str = "",
    amends_constitution: bool = False,
    constitution_change: dict | None = None,
) -> Motion:
    """Table a motion; ``constitution_change`` is what an amending motion changes in the
    constitution's rules or structure, adopted if the motion is carried."""
    _in_unit(member, assembly)  # who may table first: a refusal on the merits says more
    _before_deadline(assembly)
    if constitution_change is not None:
        if assembly.branch.parent_id is not None:
            raise RuleViolation(
                _t("Only an assembly of the whole organisation can amend its constitution."),
                "constitution_change",
            )
        try:
            constitution_services.check_amendment(assembly.organisation, constitution_change)
        except RuleViolation as exc:
            raise RuleViolation(exc.message, "constitution_change") from None
        amends_constitution = True
    title, text = (title or "").strip(), (text or "").strip()
    if not title or not text:
        raise RuleViolation(_t("A motion needs a title and a text."), "text")
    if branch is not None:
        if not assembly.branches_may_table:
            raise RuleViolation(_t("The standing orders do not let branches table motions."))
        if member.home_branch_id not in branch.subtree_ids():
            raise NotPermitted(_t("Only a member of that branch can table its motion."))
    if faction is not None:
        from tribune.factions.rules import faction_term

        if not assembly.factions_may_table:
            raise RuleViolation(_t("The standing orders do not let factions table motions."))
        faction_term(member, faction)
    if programme_section:
        programme = Programme.objects.filter(organisation=assembly.organisation).first()
        current = programme.current() if programme else None
        if current is None or not current.sections.filter(key=programme_section).exists():
            raise RuleViolation(_t("No such section in the programme."), "programme_section")
    motion = Motion.objects.create(
        assembly=assembly,
        agenda_item=agenda_item,
        title=title,
        tabled_by=member,
        on_behalf_of_branch=branch,
        on_behalf_of_faction=faction,
        programme_section=programme_section,
        amends_constitution=bool(amends_constitution),
        constitution_change=constitution_change,
    )
    MotionVersion.objects.create(motion=motion, number=1, text=text + "\n", note=_t("As tabled"))
    record(assembly.organisation, "motion.tabled", actor=member, target=motion)
    _event(assembly, "motion", motion=motion.pk)
    return motion


def _lines(motion: Motion) -> int:
    return len(motion.versions.get(number=1).text.splitlines())


@transaction.atomic
def table_amendment(
    member: Member, motion: Motion, *, start: int, end: int, new_text: str, reason: str = ""
) -> Amendment:
    """Amend lines start..end of the motion as tabled (start = end + 1 inserts after end)."""
    assembly = motion.assembly
    _in_unit(member, assembly)  # who may table first: a refusal on the merits says more
    _before_deadline(assembly)
    if motion.status != Motion.Status.TABLED:
        raise RuleViolation(_t("This motion is no longer open to amendment."))
    label = f"A{motion.amendments.count() + 1}"
    change = textmerge.LineChange.replace(label, start, end, new_text or "")
    try:
        change.check(_lines(motion))
    except ValueError:
        raise RuleViolation(
            _t("Lines %(start)s–%(end)s are not in this motion of %(n)s lines.")
            % {"start": start, "end": end, "n": _lines(motion)},
            "start",
        ) from None
    amendment = Amendment.objects.create(
        motion=motion,
        label=label,
        tabled_by=member,
        start=start,
        end=end,
        new_text=new_text or "",
        reason=reason,
    )
    record(assembly.organisation, "amendment.tabled", actor=member, target=amendment)
    _event(assembly, "amendment", motion=motion.pk, amendment=amendment.pk)
    return amendment


@transaction.atomic
def amend_passage(
    member: Member, motion: Motion, *, passage: str, replacement: str, reason: str = ""
) -> Amendment:
    """Amend the motion as tabled by quoting a passage of it and typing its replacement.

    The passage becomes the lines it touches (``textmerge.passage_change``) and the
    amendment is tabled as a line range like any other; a passage found nowhere, or
    in more than one place, is refused on the ``passage`` field.
    """
    _in_unit(member, motion.assembly)  # who may table first, as table_amendment does
    clean_text(replacement, field="replacement")  # refused here, named as the member typed it
    tabled = motion.versions.get(number=1).text
    try:
        change = textmerge.passage_change("", tabled, passage, replacement)
    except textmerge.PassageError as error:
        if not passage.split():
            message = _t("Quote the passage of the motion to replace.")
        elif error.count == 0:
            message = _t(
                "This passage is not in the motion as tabled: quote it exactly as it is written."
            )
        else:
            message = ngettext(
                "This passage occurs %(n)s time in the motion: select a longer passage, "
                "so that it occurs only once.",
                "This passage occurs %(n)s times in the motion: select a longer passage, "
                "so that it occurs only once.",
                error.count,
            ) % {"n": error.count}
        raise RuleViolation(message, "passage") from None
    old = "\n".join(tabled.splitlines()[change.start - 1 : change.end])
    if "\n".join(change.new_lines).split() == unicodedata.normalize("NFC", old).split():
        raise RuleViolation(_t("The replacement is the same as the passage."), "replacement")
    return table_amendment(
        member,
        motion,
        start=change.start,
        end=change.end,
        new_text="\n".join(change.new_lines),
        reason=reason,
    )


def _change(amendment: Amendment) -> textmerge.LineChange:
    return textmerge.LineChange.replace(
        amendment.label, amendment.start, amendment.end, amendment.new_text
    )


def conflicting_amendments(motion: Motion) -> list[tuple[str, str]]:
    """Pairs of tabled or adopted amendments touching the same lines (flagged to the chair)."""
    live = motion.amendments.filter(status__in=[Amendment.Status.TABLED, Amendment.Status.ADOPTED])
    return textmerge.conflicts([_change(a) for a in live])


def consolidated_text(motion: Motion) -> str:
    original = motion.versions.get(number=1).text
    adopted = motion.amendments.filter(status=Amendment.Status.ADOPTED).order_by("pk")
    return textmerge.consolidate(original, [_change(a) for a in adopted])


# --- speakers ------------------------------------------------------------------------


def participant_of(member: Member | None, assembly: Assembly) -> Participant | None:
    """The member's place at the assembly, or None (for pages: no refusal)."""
    if member is None:
        return None
    return Participant.objects.filter(assembly=assembly, member=member).first()


def open_vote_of(assembly: Assembly) -> LiveVote | None:
    """The vote open now, if any (at most one at a time)."""
    return assembly.votes.filter(election__status=Status.VOTING).select_related("election").first()


# Every cast in the hall reads it: its SQL is built once (tribune.lib.prepared).
_PARTICIPANT = PreparedFirst(
    Participant,
    lambda assembly_id, member_id: Participant.objects.filter(
        assembly_id=assembly_id, member_id=member_id
    ).order_by("pk"),
    int,
    int,
)


def _participant(member: Member, assembly: Assembly) -> Participant:
    participant = _PARTICIPANT.first(assembly.pk, member.pk)
    if participant is None:
        raise NotPermitted(_t("Only participants of this assembly can do this."))
    return participant


@transaction.atomic
def request_to_speak(member: Member, item: AgendaItem, *, point_of_order: bool = False):
    participant = _participant(member, item.assembly)
    if item.speakers.filter(participant=participant, status=SpeakerRequest.Status.WAITING).exists():
        raise RuleViolation(_t("You are already on the list."))
    request = SpeakerRequest.objects.create(
        item=item, participant=participant, point_of_order=point_of_order
    )
    _event(item.assembly, "speakers", item=item.pk)
    return request


def speakers_list(item: AgendaItem) -> list[SpeakerRequest]:
    """The waiting requests in the order the standing orders give them."""
    assembly = item.assembly
    waiting = list(
        item.speakers.filter(status=SpeakerRequest.Status.WAITING).select_related(
            "participant__member"
        )
    )
    spoken = item.speakers.filter(
        status__in=[SpeakerRequest.Status.DONE, SpeakerRequest.Status.SPEAKING]
    )
    last = spoken.order_by("-started_at").select_related("participant").first()
    by_key = {str(r.pk): r for r in waiting}
    order = speakers.speaking_order(
        [
            speakers.Request(str(r.pk), i, r.participant.group, r.point_of_order)
            for i, r in enumerate(waiting)
        ],
        already_spoke={
            str(r.pk)
            for r in waiting
            if r.participant_id in set(spoken.values_list("participant_id", flat=True))
        },
        last_group=last.participant.group if last else None,
        rules=speakers.Rules(assembly.first_speakers_first, assembly.alternate_lists),
    )
    return [by_key[r.speaker] for r in order]


@transaction.atomic
def next_speaker(actor: Member, item: AgendaItem) -> SpeakerRequest | None:
    chair_term(actor, item.assembly)
    item.speakers.filter(status=SpeakerRequest.Status.SPEAKING).update(
        status=SpeakerRequest.Status.DONE
    )
    waiting = speakers_list(item)
    if not waiting:
        _event(item.assembly, "speakers", item=item.pk)
        return None
    request = waiting[0]
    request.status, request.started_at = SpeakerRequest.Status.SPEAKING, timezone.now()
    request.save(update_fields=["status", "started_at"])
    _event(
        item.assembly,
        "speaker",
        item=item.pk,
        name=request.participant.member.name,
        seconds=item.assembly.speaking_minutes * 60,
    )
    return request


# --- live votes ------------------------------------------------------------------------


@transaction.atomic
def open_vote(
    actor: Member,
    assembly: Assembly,
    *,
    motion: Motion | None = None,
    amendment: Amendment | None = None,
) -> LiveVote:
    """The chair puts one motion or one amendment to the vote.

    Only in session, within the assembly's dates and with the quorum present
    (``sessions.require_quorate_session``); the majority is the rules', never the
    chair's choice (``sessions.majority_rule``), and the quorum of votes to be cast
    goes with it, so a vote that does not reach it is counted "not quorate".
    """
    term = chair_term(actor, assembly)
    if (motion is None) == (amendment is None):
        raise RuleViolation(_t("Put one motion or one amendment to the vote."))
    _no_open_vote(assembly)
    subject = amendment or motion
    if subject.status != "tabled":
        raise RuleViolation(_t("Only a tabled motion or amendment can be put to the vote."))
    if motion is not None:
        _check_ranked_turn(motion)
    if amendment is not None:
        adopted = amendment.motion.amendments.filter(status=Amendment.Status.ADOPTED)
        try:
            textmerge.rebase(_change(amendment), [_change(a) for a in adopted])
        except textmerge.AmendmentConflict as clash:
            raise RuleViolation(str(clash)) from None
    participants = list(assembly.participants.filter(voting=True))
    if not participants:
        raise RuleViolation(_t("No one is seated to vote."))
    session, present = sessions.require_quorate_session(assembly)
    rule = sessions.majority_rule(assembly, motion or amendment.motion)
    now = timezone.now()
    election = Election.objects.create(
        organisation=assembly.organisation,
        kind=Kind.ASSEMBLY,
        title=str(subject),
        question=str(subject),
        method=Method.YES_NO,
        electorate=assembly.branch,
        status=Status.VOTING,
        voting_open_at=now,
        voting_close_at=now + timedelta(days=1),
        allow_vote_change=False,
        seed=secrets.randbits(62),
        motion_rule={
            **rule,
            "quorum_turnout": present.quorum,
            "quorum_percent": sessions.percent_text(present.percent),
            "present": present.present,
        },
    )
    VoterRoll.objects.bulk_create(
        [VoterRoll(election=election, member_id=p.member_id, weight=p.weight) for p in participants]
    )
    election.electorate_size = sum(p.weight for p in participants)
    election.save(update_fields=["electorate_size"])
    vote = LiveVote.objects.create(
        assembly=assembly,
        election=election,
        motion=motion,
        amendment=amendment,
        session=session,
        entitled=election.electorate_size,
        present=present.present,
        quorum=present.quorum,
    )
    record(
        assembly.organisation,
        "assembly.vote_opened",
        actor=actor,
        term=term,
        target=vote,
        data={"subject": str(subject), "rule": rule["name"], **present.as_dict()},
    )
    _event(
        assembly,
        "vote_opened",
        vote=vote.pk,
        subject=str(subject),
        secret=assembly.secret_votes,
        rule=rule["name"],
        quorum=present.quorum,
    )
    return vote


def cast_live_vote(member: Member, vote: LiveVote, choice: str) -> int:
    """Vote yes, no or abstain, for oneself and every proxy one holds; returns the ballots cast."""
    return prepare_live_vote(member, vote, choice)()


def prepare_live_vote(member: Member, vote: LiveVote, choice: str) -> Callable[..., int]:
    """``cast_live_vote`` in two steps: its checks and reads now; its writes, returned, to call.

    The lean cast path (``tribune.api.castpath``) reads in the request's thread and
    runs the writes in a group commit, whose one thread then only writes. Called
    with ``savepoint=False`` inside a transaction undone whole when they fail, the
    writes open no savepoint of their own (two round trips fewer on PostgreSQL).
    """
    if vote.is_ranking:
        raise RuleViolation(
            _t("This vote ranks the competing motions: send a ranking, not yes or no."), "choice"
        )
    if choice not in YES_NO_CHOICES:
        raise RuleViolation(_t("Vote yes, no or abstain."), "choice")
    return _prepare_hall_cast(member, vote, choice, field="choice")


def _cast_in_hall(member: Member, vote: LiveVote, choice, *, field: str) -> int:
    return _prepare_hall_cast(member, vote, choice, field=field)()


def _prepare_hall_cast(member: Member, vote: LiveVote, choice, *, field: str) -> Callable[..., int]:
    """Check the cast and read whom it votes for; the writes putting ``choice`` in the box.

    A delegate with weight w casts w ballots; each is a separate secret ballot in
    the box, so weights and proxies are counted exactly and stay secret where
    the standing orders make votes secret. Where they make votes named, each
    voter's choice is recorded as a named vote (a ranking as "ranking" with the
    motion ids in order).

    The reads (participant, proxies, roll entries) run outside the writes'
    transaction; what they found is checked again by the writes, in the statements
    they make anyway: the roll is marked only where still unmarked and the
    delegate still present (else the cast is refused), so one voter counts once.
    The writes lock the election row just before committing, and ``close_vote``
    locks it to count (``elections.lock_open_voting``). This is the hot path of a
    congress (thousands of casts in a minute), so it reads what it needs in few
    queries and holds the lock briefly. Attempts count against the voter's rate limit
    like any ballot's (``elections.throttle_vote``).
    """
    elections.throttle_vote(member, field)
    participant = _participant(member, vote.assembly)
    proxies = []
    if vote.assembly.proxies_allowed:  # fixed by the standing orders, which never change
        held_or_given = Q(giver=participant) | Q(holder=participant)
        proxies = list(Proxy.objects.filter(held_or_given).select_related("giver"))
    if any(p.giver_id == participant.pk for p in proxies):
        raise RuleViolation(_t("You gave your vote by proxy."), field)
    if not participant.present:
        raise RuleViolation(_t("Check in as present first: only those in the hall vote."), field)
    voters = ([participant] if participant.voting else []) + [p.giver for p in proxies]
    entries = list(
        VoterRoll.objects.filter(
            election_id=vote.election_id,
            member_id__in=[v.member_id for v in voters],
            voted=False,
        ).values_list("pk", "member_id", "weight")
    )
    if not entries:
        raise RuleViolation(_t("You have already voted in this election."), field)
    ranking = choice if isinstance(choice, list) else None

    def write(savepoint: bool = True) -> int:
        # savepoint=False: the caller undoes its whole transaction if this fails.
        with transaction.atomic(savepoint=savepoint):
            if _mark_roll(participant.pk, *(pk for pk, _m, _w in entries)) != len(entries):
                if not Participant.objects.filter(pk=participant.pk, present=True).exists():
                    raise RuleViolation(
                        _t("Check in as present first: only those in the hall vote."), field
                    )
                raise RuleViolation(_t("You have already voted in this election."), field)
            casting.insert_ballots(
                vote.election_id,
                [
                    (choice, hashlib.sha256(secrets.token_bytes(32)).hexdigest(), "")
                    for _pk, _member, weight in entries
                    for _ in range(weight)
                ],
            )
            if not vote.assembly.secret_votes:
                by_member = {v.member_id: v for v in voters}
                NamedVote.objects.bulk_create(
                    NamedVote(
                        live_vote=vote,
                        participant=by_member[member_id],
                        choice="ranking" if ranking is not None else choice,
                        ranking=ranking,
                        ballots=weight,
                    )
                    for _pk, member_id, weight in entries
                )
            elections.lock_open_voting(vote.election_id, field)
            roll = VoterRoll.objects.filter(election_id=vote.election_id, voted=True)
            chan = channel(vote.assembly)
            transaction.on_commit(lambda: _push_progress(chan, vote.pk, roll.count))
        return sum(weight for _pk, _member, weight in entries)

    return write


def _mark_roll(participant_pk: int, *entry_pks: int) -> int:
    """Mark the roll entries voted, if unmarked and the delegate still present; how many."""
    still_present = Participant.objects.filter(pk=participant_pk, present=True)
    unmarked = VoterRoll.objects.filter(pk__in=entry_pks, voted=False)
    return unmarked.filter(Exists(still_present)).update(voted=True)


# How often, at most, a vote's progress is pushed to browsers (per server process),
# and how many deliveries a second a process spends on it: with 3,000 phones on one
# process, one event every 3 seconds. Progress is a courtesy; the result is not.
PROGRESS_SECONDS = 1.0
PROGRESS_DELIVERIES_PER_SECOND = 1000
_progress_lock = threading.Lock()
_progress: dict[int, dict] = {}


def _push_progress(chan: str, vote_pk: int, count: Callable[[], int]) -> None:
    """Push "n have voted", coalesced: at most one event per PROGRESS_SECONDS, the last always.

    With thousands of delegates connected, one event per ballot would fan out into
    millions of writes during a vote (3,000 ballots x 3,000 connections); a timer
    sends the latest count once the interval is over, so the final figure still
    arrives. The interval grows with the connections this process serves (with
    several processes, each judges by its own). ``count`` is called only when an
    event is due, not on every cast.
    """
    push_coalesced(chan, vote_pk, "vote_progress", lambda: {"vote": vote_pk, "cast": count()})


def push_coalesced(chan: str, key, event: str, payload: Callable[[], dict]) -> None:
    """Send ``event`` at most once per interval per ``key``, the latest ``payload`` always.

    For figures that change with every one of thousands of acts (ballots cast,
    delegates checking in at the door): see ``_push_progress``.
    """
    interval = max(PROGRESS_SECONDS, events.subscriber_count(chan) / PROGRESS_DELIVERIES_PER_SECOND)
    now = time.monotonic()
    with _progress_lock:
        state = _progress.setdefault(key, {"sent": 0.0, "timer": None})
        state["payload"], state["event"] = payload, event  # the timer reads the latest
        wait = state["sent"] + interval - now
        if wait > 0 or state["timer"] is not None:
            if state["timer"] is None:
                timer = threading.Timer(wait, _flush_progress, args=(chan, key))
                timer.daemon = True
                state["timer"] = timer
                timer.start()
            return
        state["sent"] = now
    events.send_now(chan, event, payload())


def _flush_progress(chan: str, key) -> None:
    with _progress_lock:
        state = _progress[key]
        state["timer"], state["sent"] = None, time.monotonic()
        payload, event = state["payload"], state["event"]
    try:
        events.send_now(chan, event, payload())
    finally:
        connections.close_all()  # the timer thread's own connection, if it opened one


@transaction.atomic
def close_vote(actor: Member, vote: LiveVote) -> LiveVote:
    """Close, count at once, and carry out the result (amendment merged, programme versioned).

    A ranking vote is closed by ``close_ranking_vote``, which this hands it to.
    """
    if vote.is_ranking:
        return close_ranking_vote(actor, vote)
    term = chair_term(actor, vote.assembly)
    election = Election.objects.select_for_update().get(pk=vote.election_id)
    if election.status != Status.VOTING:
        raise RuleViolation(_t("This vote is not open."))
    # The result goes out as soon as the close commits, before the count's after-commit
    # resealing of the roll (``sealing.after_close``).
    announce = events.publish_ahead(channel(vote.assembly))
    now = timezone.now()
    election.voting_close_at = max(now, election.voting_open_at + timedelta(microseconds=1))
    election.save(update_fields=["voting_close_at"])
    election = elections.advance(election, election.voting_close_at)
    vote.election = election
    vote.quorate = bool((election.result or {}).get("quorum_met", True))
    vote.save(update_fields=["quorate"])
    _carry_out(vote, election)
    tally = {
        **vote_counts(election),
        "carried": bool(election.passed),
        "quorate": vote.quorate,
        "outcome": sessions.outcome(vote),
        "rule": (election.motion_rule or {}).get("name", ""),
        "quorum": vote.quorum,
    }
    record(
        vote.assembly.organisation,
        "assembly.vote_closed",
        actor=actor,
        term=term,
        target=vote,
        data=tally,
    )
    announce("vote_closed", {"vote": vote.pk, "result": tally, "subject": election.title})
    return vote


def vote_counts(election: Election) -> dict[str, int]:
    """Yes, no and abstain ballots of a counted yes/no vote."""
    stages = (election.result or {}).get("stages") or [{}]
    votes = stages[0].get("votes", {})
    return {k: int(votes.get(k, 0)) for k in YES_NO_CHOICES}


def _carry_out(vote: LiveVote, election: Election) -> None:
    """Record what the hall decided; a vote that was not quorate decided nothing."""
    if vote.quorate is False:
        return
    carried = bool(election.passed)
    if vote.amendment is not None:
        amendment = vote.amendment
        amendment.status = Amendment.Status.ADOPTED if carried else Amendment.Status.REJECTED
        amendment.save(update_fields=["status"])
        if carried:
            motion = amendment.motion
            number = motion.versions.count() + 1
            MotionVersion.objects.create(
                motion=motion,
                number=number,
                text=consolidated_text(motion),
                note=_t("Amendment %(label)s adopted") % {"label": amendment.label},
            )
            for other in motion.amendments.filter(status=Amendment.Status.TABLED):
                if textmerge.conflicts([_change(other), _change(amendment)]):
                    other.status = Amendment.Status.FALLEN
                    other.save(update_fields=["status"])
    else:
        motion = vote.motion
        motion.status = Motion.Status.ADOPTED if carried else Motion.Status.REJECTED
        motion.save(update_fields=["status"])
        if carried:
            _competitors_fall(motion)
        if carried and motion.programme_section:
            amend_programme(motion, election)
        if carried and motion.constitution_change:
            _amend_constitution(motion)


def _amend_constitution(motion: Motion) -> None:
    """A carried amending motion brings the new constitution version into force.

    Checked again against the constitution as it now stands: if another change
    since tabling makes it break a guarantee, the motion stays carried but the
    change is not made, and the record says why.
    """
    organisation = motion.assembly.organisation
    try:
        with transaction.atomic():
            constitution_services.adopt(
                organisation,
                motion.constitution_change,
                how=_t("Adopted by %(assembly)s: %(title)s")
                % {"assembly": motion.assembly.title, "title": motion.title},
                data={"motion": motion.pk},
            )
    except RuleViolation as exc:
        record(
            organisation,
            "constitution.not_adopted",
            target=motion,
            data={"reason": exc.message},
        )


# --- ranking competing motions ------------------------------------------------------------
#
# Standing orders, as organisers know them: when two or more motions on one item compete
# (they say different things about the same question), the hall first ranks them, and the
# Schulze order of that ranking is the order in which they are then put to the usual yes/no
# vote, first-ranked first. A motion is put only when every motion before it in the order
# has been rejected or withdrawn; once one of them is carried, the others still tabled
# fall: the hall has decided the question. Motions the ranking did not order (tabled
# later, or on other items) are voted on as before.


def competing_motions(item: AgendaItem) -> list[Motion]:
    """The motions still tabled on an agenda item, in the order they were tabled."""
    return list(item.motions.filter(status=Motion.Status.TABLED).order_by("tabled_at", "pk"))


def ranking_of(item: AgendaItem | None) -> LiveVote | None:
    """The counted ranking vote on an item, whose order decides the order of voting; or None."""
    if item is None:
        return None
    return (
        item.ranking_votes.filter(order__isnull=False)
        .select_related("election")
        .order_by("-opened_at", "-pk")
        .first()
    )


def in_ranked_order(motions, order: list[int]) -> list[Motion]:
    """The motions with those in ``order`` first, in that order; the others after, as given."""
    place = {pk: n for n, pk in enumerate(order)}
    return sorted(motions, key=lambda m: place.get(m.pk, len(place)))


def _check_ranked_turn(motion: Motion) -> None:
    """A motion in a ranking's order is put only when those before it are no longer tabled."""
    ranking = ranking_of(motion.agenda_item) if motion.agenda_item_id else None
    if ranking is None or motion.pk not in ranking.order:
        return
    before = ranking.order[: ranking.order.index(motion.pk)]
    first = (
        Motion.objects.filter(pk__in=before, status=Motion.Status.TABLED)
        .order_by()
        .values_list("pk", "title")
    )
    waiting = sorted(first, key=lambda row: before.index(row[0]))
    if waiting:
        raise RuleViolation(
            _t("The ranking vote put “%(title)s” first: it is voted on before this motion.")
            % {"title": waiting[0][1]},
            "motion_id",
        )


def _competitors_fall(motion: Motion) -> None:
    """A carried motion that was ranked against others: those still tabled fall."""
    ranking = ranking_of(motion.agenda_item) if motion.agenda_item_id else None
    if ranking is None or motion.pk not in ranking.order:
        return
    others = Motion.objects.filter(pk__in=ranking.order, status=Motion.Status.TABLED).exclude(
        pk=motion.pk
    )
    for other in others:
        other.status = Motion.Status.FALLEN
        other.save(update_fields=["status"])
        record(
            motion.assembly.organisation,
            "motion.fallen",
            target=other,
            data={"carried": motion.pk, "ranking": ranking.pk},
        )


def _motion_refs(pks: list[int], titles: dict[int, str]) -> list[dict]:
    return [{"id": pk, "title": titles.get(pk, "")} for pk in pks]


@transaction.atomic
def open_ranking_vote(actor: Member, item: AgendaItem) -> LiveVote:
    """The chair asks the hall to rank the motions competing on an agenda item.

    Needs the chair's mandate, at least two tabled motions on the item, no other vote
    open and no earlier ranking of the item. The ranking is an election of kind
    ``assembly`` counted by Schulze (ties broken by the election's seeded lot): secret
    ballots in the box, the roll from the seated participants with their weights,
    exactly like a yes/no vote.
    """
    assembly = item.assembly
    term = chair_term(actor, assembly)
    if assembly.status == Assembly.Status.CLOSED:
        raise RuleViolation(_t("This assembly is closed."))
    _no_open_vote(assembly)
    if ranking_of(item) is not None:
        raise RuleViolation(
            _t("The competing motions on this item are already ordered by a ranking vote."),
            "item",
        )
    motions = competing_motions(item)
    if len(motions) < 2:
        raise RuleViolation(
            _t("A ranking vote needs at least two tabled motions competing on this item."),
            "item",
        )
    participants = list(assembly.participants.filter(voting=True))
    if not participants:
        raise RuleViolation(_t("No one is seated to vote."))
    session, present = sessions.require_quorate_session(assembly)
    now = timezone.now()
    title = _t("Order of the motions on “%(item)s”") % {"item": item.title}
    election = Election.objects.create(
        organisation=assembly.organisation,
        kind=Kind.ASSEMBLY,
        title=title[:300],
        question=_t("Rank the competing motions: the first in the order is voted on first."),
        method=Method.SCHULZE,
        electorate=assembly.branch,
        status=Status.VOTING,
        voting_open_at=now,
        voting_close_at=now + timedelta(days=1),
        allow_vote_change=False,
        seed=secrets.randbits(62),
        options=[[m.pk, m.title] for m in motions],
    )
    VoterRoll.objects.bulk_create(
        [VoterRoll(election=election, member_id=p.member_id, weight=p.weight) for p in participants]
    )
    election.electorate_size = sum(p.weight for p in participants)
    election.save(update_fields=["electorate_size"])
    vote = LiveVote.objects.create(
        assembly=assembly,
        election=election,
        item=item,
        session=session,
        entitled=election.electorate_size,
        present=present.present,
        quorum=present.quorum,
    )
    record(
        assembly.organisation,
        "assembly.ranking_opened",
        actor=actor,
        term=term,
        target=vote,
        data={"item": item.pk, "motions": [m.pk for m in motions]},
    )
    _event(
        assembly,
        "vote_opened",
        vote=vote.pk,
        subject=election.title,
        secret=assembly.secret_votes,
        ranking=True,
        item=item.pk,
        motions=[{"id": m.pk, "title": m.title} for m in motions],
    )
    return vote


def _check_ranking(vote: LiveVote, ranking) -> list[int]:
    if not isinstance(ranking, list | tuple) or not ranking:
        raise RuleViolation(_t("Rank at least one of the competing motions."), "ranking")
    try:
        ranking = [int(pk) for pk in ranking]
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(Infinity)
        raise RuleViolation(_t("A ranking lists motions by their number."), "ranking") from None
    if len(set(ranking)) != len(ranking):
        raise RuleViolation(_t("Each motion may be ranked only once."), "ranking")
    competing = {int(pk) for pk, _title in vote.election.options}
    if not set(ranking) <= competing:
        raise RuleViolation(_t("Only the motions competing on this item may be ranked."), "ranking")
    return ranking


def cast_ranking(member: Member, vote: LiveVote, ranking) -> int:
    """Rank the competing motions, for oneself and every proxy one holds; returns the ballots.

    A full or partial ranking (motion ids, first preference first); a motion left
    out is ranked below every listed one. Weights, proxies, secrecy and named
    votes as for a yes/no vote (``_cast_in_hall``).
    """
    if not vote.is_ranking:
        raise RuleViolation(_t("This vote is yes or no, not a ranking."), "ranking")
    ranking = _check_ranking(vote, ranking)
    return _cast_in_hall(member, vote, ranking, field="ranking")


def ranking_result(vote: LiveVote) -> dict | None:
    """A counted ranking: the order (id and title), ballots, and the Schulze details by id."""
    election = vote.election
    if vote.order is None or not election.result:
        return None
    titles = {int(pk): title for pk, title in election.options}
    by_name = {name: pk for pk, name in elections.candidate_names(election).items()}
    params = election.result.get("parameters") or {}

    def by_id(table: dict) -> dict:
        return {
            str(by_name[a]): {str(by_name[b]): n for b, n in row.items()}
            for a, row in table.items()
        }

    return {
        "order": _motion_refs(vote.order, titles),
        "ballots": election.turnout or 0,
        "method": "schulze",
        "pairwise": by_id(params.get("pairwise", {})),
        "strongest_paths": by_id(params.get("strongest_paths", {})),
        "ties": election.result.get("ties", []),
    }


@transaction.atomic
def close_ranking_vote(actor: Member, vote: LiveVote) -> LiveVote:
    """The chair closes a ranking vote: counted at once by Schulze; the order is recorded.

    The order is published with the pairwise counts and strongest paths; the chair then
    puts the motions to yes/no votes in that order (``open_vote`` refuses any other).
    """
    term = chair_term(actor, vote.assembly)
    if not vote.is_ranking:
        raise RuleViolation(_t("This vote is yes or no, not a ranking."))
    election = Election.objects.select_for_update().get(pk=vote.election_id)
    if election.status != Status.VOTING:
        raise RuleViolation(_t("This vote is not open."))
    announce = events.publish_ahead(channel(vote.assembly))  # as in close_vote
    now = timezone.now()
    election.voting_close_at = max(now, election.voting_open_at + timedelta(microseconds=1))
    election.save(update_fields=["voting_close_at"])
    election = elections.advance(election, election.voting_close_at)
    vote.election = election
    vote.quorate = (election.turnout or 0) >= (vote.quorum or 0)
    if not vote.quorate:  # decides nothing: the item may be ranked again
        vote.save(update_fields=["quorate"])
        tally = {"ranking": True, "outcome": "not quorate", "quorate": False, "quorum": vote.quorum}
        tally["ballots"] = election.turnout or 0
        record(
            vote.assembly.organisation,
            "assembly.ranking_closed",
            actor=actor,
            term=term,
            target=vote,
            data=tally,
        )
        announce("vote_closed", {"vote": vote.pk, "subject": election.title, "result": tally})
        return vote
    by_name = {name: pk for pk, name in elections.candidate_names(election).items()}
    vote.order = [by_name[name] for name in election.result["ranking"]]
    vote.save(update_fields=["order", "quorate"])
    result = ranking_result(vote)
    record(
        vote.assembly.organisation,
        "assembly.ranking_closed",
        actor=actor,
        term=term,
        target=vote,
        data={"order": vote.order, "ballots": result["ballots"]},
    )
    announce(
        "vote_closed",
        {
            "vote": vote.pk,
            "subject": election.title,
            "result": {
                "ranking": True,
                "outcome": "ordered",
                "quorate": True,
                "order": result["order"],
                "ballots": result["ballots"],
            },
        },
    )
    return vote


# --- the programme ------------------------------------------------------------------------


@transaction.atomic
def found_programme(organisation, sections: list[tuple[str, str, str]]) -> ProgrammeVersion:
    """Version 1 of the programme: (key, title, text) per section."""
    programme, _ = Programme.objects.get_or_create(organisation=organisation)
    if programme.versions.exists():
        raise RuleViolation(_t("The programme exists; only adopted motions change it."))
    version = ProgrammeVersion.objects.create(programme=programme, number=1, note=_t("Founding"))
    for position, (key, title, text) in enumerate(sections, start=1):
        ProgrammeSection.objects.create(
            version=version, key=key, position=position, title=title, text=text.strip() + "\n"
        )
    record(organisation, "programme.founded", target=version)
    return version


def amend_programme(motion: Motion, vote: Election) -> ProgrammeVersion:
    """The next programme version: the motion's section replaced by its adopted text."""
    programme = motion.assembly.organisation.programme
    current = programme.current()
    version = ProgrammeVersion.objects.create(
        programme=programme,
        number=current.number + 1,
        motion=motion,
        vote=vote,
        note=_t("Motion “%(title)s” adopted") % {"title": motion.title},
    )
    for section in current.sections.all():
        text = motion.current().text if section.key == motion.programme_section else section.text
        ProgrammeSection.objects.create(
            version=version,
            key=section.key,
            position=section.position,
            title=section.title,
            text=text,
        )
    record(
        motion.assembly.organisation,
        "programme.amended",
        target=version,
        data={"motion": motion.pk, "vote": vote.pk},
    )
    return version
