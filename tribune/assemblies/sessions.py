"""Sessions, attendance, quorum and majorities: an assembly bound by the constitution.

An assembly decides only while it sits. The chair opens the session (and
suspends and resumes it: each sitting is a ``Session`` with its attendance at
the start and the end, for the minutes); participants check in as present or
absent, or give their vote by proxy (then they are present through the holder,
if the holder is). A vote opens only in session, within the assembly's dates
and with the quorum present; at the close it is quorate only if enough votes
were cast, and a vote that is not quorate decides nothing: the motion or
amendment stays tabled and the result reads "not quorate" everywhere.

The quorum is the constitution's ``quorum_percent`` of the votes entitled to be
cast in the hall (the seated participants who vote, each with their weight, as
the hall weighs votes), or the standing orders' where stricter. The constitution
calls it the share "of the electorate voting", so at the close the ballots cast
(abstentions included) must reach it; at the opening, the votes present must.

Majorities come from the rules, never from the chair: a simple majority for
ordinary motions (or the standing orders' stricter rule), the constitution's
amendment majority for a motion amending the constitution and, where the
constitution says so, for one rewriting the programme. An amendment is decided
by the majority of the motion it amends. Deliberately absent: any way for the
chair to choose the majority or waive the quorum.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _t

from tribune.assemblies import services
from tribune.assemblies.models import Assembly, Motion, Participant, Proxy, Session
from tribune.audit.log import record
from tribune.lib.errors import RuleViolation
from tribune.members.models import Member

PRESENCES = ("present", "absent", "proxy")


def percent_text(value) -> str:
    """10.00 as "10", 12.50 as "12.5": a share as people write it."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_standing_orders(organisation, orders: dict) -> None:
    """The standing orders may make the quorum and the majority stricter, never laxer."""
    majority = orders.get("majority", "simple")
    if majority not in _STANDING:
        raise RuleViolation(_t("Choose a majority for ordinary motions."), "majority")
    percent = orders.get("quorum_percent")
    if percent is None:
        return
    constitution = organisation.current_constitution()
    floor = Decimal(constitution.quorum_percent) if constitution else Decimal(0)
    try:
        percent = Decimal(str(percent))
    except ArithmeticError:
        raise RuleViolation(
            _t("The quorum is a share between 0% and 100%."), "quorum_percent"
        ) from None
    if not percent.is_finite() or not 0 <= percent <= 100:
        raise RuleViolation(_t("The quorum is a share between 0% and 100%."), "quorum_percent")
    if percent < floor:
        raise RuleViolation(
            _t(
                "The standing orders may raise the quorum, not lower it below the "
                "constitution's %(floor)s%%."
            )
            % {"floor": percent_text(floor)},
            "quorum_percent",
        )


# --- attendance and quorum --------------------------------------------------------------


def quorum_percent(assembly: Assembly) -> Decimal:
    """The constitution's quorum, or the standing orders' where stricter."""
    constitution = assembly.organisation.current_constitution()
    ours = Decimal(constitution.quorum_percent) if constitution else Decimal(0)
    if assembly.quorum_percent is not None and assembly.quorum_percent > ours:
        return Decimal(assembly.quorum_percent)
    return ours


@dataclass(frozen=True)
class Attendance:
    """Votes entitled, present (in person or through a proxy holder present), needed."""

    entitled: int
    present: int
    in_person: int
    by_proxy: int
    quorum: int
    percent: Decimal

    @property
    def quorate(self) -> bool:
        return self.present >= self.quorum

    def describe(self) -> str:
        return _t("%(present)s of %(entitled)s present; quorum is %(quorum)s") % {
            "present": self.present,
            "entitled": self.entitled,
            "quorum": self.quorum,
        }

    def as_dict(self) -> dict:
        return {
            "entitled": self.entitled,
            "present": self.present,
            "in_person": self.in_person,
            "by_proxy": self.by_proxy,
            "quorum": self.quorum,
            "quorum_percent": percent_text(self.percent),
            "quorate": self.quorate,
        }


def quorum_of(assembly: Assembly, entitled: int) -> int:
    """Votes needed: the quorum's share of ``entitled``, rounded up; at least one."""
    share = Fraction(quorum_percent(assembly)) / 100 * entitled
    return max(1, -(-share.numerator // share.denominator))


def attendance(assembly: Assembly) -> Attendance:
    """Counted in three sums, so a hall of thousands costs one query."""
    voting = Q(voting=True)
    direct = Q(present=True, proxy_given__isnull=True)
    through = Q(proxy_given__holder__present=True)
    sums = Participant.objects.filter(assembly=assembly).aggregate(
        entitled=Sum("weight", filter=voting),
        in_person=Sum("weight", filter=voting & direct),
        by_proxy=Sum("weight", filter=voting & through),
    )
    entitled = sums["entitled"] or 0
    in_person, by_proxy = sums["in_person"] or 0, sums["by_proxy"] or 0
    return Attendance(
        entitled=entitled,
        present=in_person + by_proxy,
        in_person=in_person,
        by_proxy=by_proxy,
        quorum=quorum_of(assembly, entitled),
        percent=quorum_percent(assembly),
    )


def presence_of(participant: Participant) -> str:
    """ "present", "absent" or "proxy" (the vote given to another participant)."""
    if Proxy.objects.filter(giver=participant).exists():
        return "proxy"
    return "present" if participant.present else "absent"


def _snapshot(assembly: Assembly) -> dict:
    """Attendance with names, as the minutes record it at each sitting's start and end."""
    counts = attendance(assembly).as_dict()
    participants = assembly.participants.select_related("member").order_by("member__name")
    proxies = {
        p.giver_id: p.holder.member.name
        for p in Proxy.objects.filter(giver__assembly=assembly).select_related("holder__member")
    }
    present, given, absent = [], [], 0
    for p in participants:
        if p.pk in proxies:
            given.append([p.member.name, proxies[p.pk]])
        elif p.present:
            present.append(p.member.name)
        elif p.voting:
            absent += 1
    return {**counts, "present_names": present, "proxies": given, "absent": absent}


# --- the session --------------------------------------------------------------------------


def current_session(assembly: Assembly) -> Session | None:
    """The sitting under way, if the assembly is in session."""
    if assembly.status != Assembly.Status.IN_SESSION:
        return None
    return assembly.sessions.filter(ended_at__isnull=True).order_by("-number").first()


def _within_dates(assembly: Assembly, what: str) -> None:
    now = timezone.now()
    if not assembly.starts_at <= now <= assembly.ends_at:
        raise RuleViolation(
            _t("The assembly meets from %(start)s to %(end)s: %(what)s only within those dates.")
            % {
                "start": timezone.localtime(assembly.starts_at).strftime("%d %b %Y %H:%M"),
                "end": timezone.localtime(assembly.ends_at).strftime("%d %b %Y %H:%M"),
                "what": what,
            }
        )


def lock_assembly(assembly: Assembly) -> Assembly:
    """The assembly row locked, its status read afresh: two clicks never open two sittings."""
    locked = Assembly.objects.select_for_update().filter(pk=assembly.pk)
    assembly.status = locked.values_list("status", flat=True).get()
    return assembly


def _begin_sitting(actor: Member, assembly: Assembly, term, action: str) -> Session:
    _within_dates(assembly, _t("it sits"))
    number = assembly.sessions.count() + 1
    session = Session.objects.create(
        assembly=assembly,
        number=number,
        opened_at=timezone.now(),
        opened_by=actor,
        attendance_at_open=_snapshot(assembly),
    )
    assembly.status = Assembly.Status.IN_SESSION
    assembly.save(update_fields=["status"])
    counts = attendance(assembly)
    record(
        assembly.organisation,
        action,
        actor=actor,
        term=term,
        target=assembly,
        data={"session": number, **counts.as_dict()},
    )
    services._event(assembly, "session", state=assembly.status, session=number, **counts.as_dict())
    return session


@transaction.atomic
def open_session(actor: Member, assembly: Assembly) -> Session:
    """The chair opens the assembly's first sitting (within its dates)."""
    term = services.chair_term(actor, assembly)
    assembly = lock_assembly(assembly)
    if assembly.status == Assembly.Status.CLOSED:
        raise RuleViolation(_t("This assembly is closed."))
    if assembly.status == Assembly.Status.IN_SESSION:
        raise RuleViolation(_t("The assembly is already in session."))
    if assembly.status == Assembly.Status.SUSPENDED:
        raise RuleViolation(_t("The session is suspended: resume it."))
    return _begin_sitting(actor, assembly, term, "assembly.session_opened")


@transaction.atomic
def resume_session(actor: Member, assembly: Assembly) -> Session:
    """The chair resumes a suspended session: a new sitting, with its own attendance."""
    term = services.chair_term(actor, assembly)
    assembly = lock_assembly(assembly)
    if assembly.status != Assembly.Status.SUSPENDED:
        raise RuleViolation(_t("Only a suspended session can be resumed."))
    return _begin_sitting(actor, assembly, term, "assembly.session_resumed")


def end_sitting(actor: Member, assembly: Assembly, how: str) -> Session | None:
    """Record the end of the sitting under way (suspended, or the assembly closed)."""
    session = current_session(assembly)
    if session is None:
        return None
    session.ended_at, session.ended_by, session.ended_how = timezone.now(), actor, how
    session.attendance_at_end = _snapshot(assembly)
    session.save(update_fields=["ended_at", "ended_by", "ended_how", "attendance_at_end"])
    return session


@transaction.atomic
def suspend_session(actor: Member, assembly: Assembly) -> Session:
    """The chair suspends the session (a break, the night): no vote opens until resumed."""
    term = services.chair_term(actor, assembly)
    assembly = lock_assembly(assembly)
    if assembly.status != Assembly.Status.IN_SESSION:
        raise RuleViolation(_t("The assembly is not in session."))
    services._no_open_vote(assembly)
    session = end_sitting(actor, assembly, "suspended")
    assembly.status = Assembly.Status.SUSPENDED
    assembly.save(update_fields=["status"])
    record(
        assembly.organisation,
        "assembly.session_suspended",
        actor=actor,
        term=term,
        target=assembly,
        data={"session": session.number if session else None},
    )
    services._event(assembly, "session", state=assembly.status)
    return session


def require_quorate_session(assembly: Assembly) -> tuple[Session, Attendance]:
    """Refuse a vote unless the assembly sits, within its dates, with its quorum present."""
    lock_assembly(assembly)  # read afresh, and serialised with the chair suspending the session
    if assembly.status == Assembly.Status.CLOSED:
        raise RuleViolation(_t("This assembly is closed."))
    if assembly.status == Assembly.Status.SUSPENDED:
        raise RuleViolation(
            _t("The session is suspended: no vote opens until the chair resumes it.")
        )
    session = current_session(assembly)
    if session is None:
        raise RuleViolation(
            _t("The assembly is not in session: the chair opens the session first.")
        )
    _within_dates(assembly, _t("votes are taken"))
    counts = attendance(assembly)
    if not counts.quorate:
        raise RuleViolation(_t("No quorum: %(counts)s.") % {"counts": counts.describe()})
    return session, counts


# --- check-in ------------------------------------------------------------------------------


@transaction.atomic
def check_in(
    actor: Member,
    assembly: Assembly,
    participants: list[Participant],
    presence: str,
    *,
    holder: Participant | None = None,
) -> list[Participant]:
    """Record participants as present, absent, or represented by a proxy ``holder``.

    A participant may check themselves in; anyone else's attendance is the chair's
    to record (the desk at the door). Coming in present takes back a proxy one had
    given; proxies change only while no vote is open (as ``give_proxy`` says).
    """
    if presence not in PRESENCES:
        raise RuleViolation(_t("Check in as present, absent or proxy."), "presence")
    if not participants:
        raise RuleViolation(_t("Name the participants to check in."), "participants")
    if any(p.assembly_id != assembly.pk for p in participants):
        raise RuleViolation(_t("No such participant at this assembly."), "participants")
    term = None
    if any(p.member_id != actor.pk for p in participants):
        term = services.chair_term(actor, assembly)
    if assembly.status == Assembly.Status.CLOSED:
        raise RuleViolation(_t("This assembly is closed."))
    if presence == "proxy" and holder is None:
        raise RuleViolation(_t("Name the participant who holds the vote."), "holder")
    if presence != "proxy" and holder is not None:
        raise RuleViolation(_t("Only a proxy has a holder."), "holder")
    now = timezone.now()
    given = set(Proxy.objects.filter(giver__in=participants).values_list("giver_id", flat=True))
    for participant in participants:
        if presence == "proxy":
            services.give_proxy(participant, holder)
        elif participant.pk in given:
            services.revoke_proxy(participant)
        participant.present = presence == "present"
        participant.checked_in_at = now
    Participant.objects.bulk_update(participants, ["present", "checked_in_at"], batch_size=500)
    counts = attendance(assembly)
    record(
        assembly.organisation,
        "assembly.attendance",
        actor=actor,
        term=term,
        target=assembly,
        data={
            "participants": [p.pk for p in participants],
            "presence": presence,
            "holder": holder.pk if holder else None,
            **counts.as_dict(),
        },
    )
    # Coalesced: a desk checking in thousands must not push thousands of events to everyone.
    chan, pk = services.channel(assembly), assembly.pk
    transaction.on_commit(
        lambda: services.push_coalesced(
            chan, ("attendance", pk), "attendance", lambda: _attendance_payload(pk)
        )
    )
    return participants


def _attendance_payload(pk: int) -> dict:
    return attendance(Assembly.objects.select_related("organisation").get(pk=pk)).as_dict()


# --- majorities -------------------------------------------------------------------------------

_SIMPLE = {"threshold": "1/2", "strict": True, "base": "yes_no"}
_STANDING = {
    "simple": _SIMPLE,
    "absolute": {"threshold": "1/2", "strict": True, "base": "cast"},
    "two-thirds": {"threshold": "2/3", "strict": False, "base": "yes_no"},
}


def _names() -> dict:
    return {
        "simple": _t("simple majority (more yes than no)"),
        "absolute": _t("absolute majority (more than half of the votes cast)"),
        "two-thirds": _t("two-thirds majority of the yes and no votes"),
    }


def needs_amendment_majority(motion: Motion) -> bool:
    """A motion changing the constitution, or the programme where the constitution says so."""
    if motion.amends_constitution:
        return True
    constitution = motion.assembly.organisation.current_constitution()
    return bool(
        motion.programme_section and constitution and constitution.programme_by_amendment_majority
    )


def majority_rule(assembly: Assembly, motion: Motion) -> dict:
    """The rule deciding a vote on ``motion`` (or an amendment to it), as the engine reads it.

    The stricter of the standing orders' majority and, where the subject needs it, the
    constitution's amendment majority; "stricter" is the higher share (at the same
    share, abstentions counting against). ``kind`` names the rule so that its words
    can be composed in each reader's language (``rule_text``); ``name`` keeps them in
    the language of the moment the vote opened, for the record.
    """
    orders = assembly.majority if assembly.majority in _STANDING else "simple"
    rule = {**_STANDING[orders], "kind": orders}
    if needs_amendment_majority(motion):
        share = assembly.organisation.current_constitution().amendment_majority
        ours = {
            "threshold": f"{share.numerator}/{share.denominator}",
            "strict": share == Fraction(1, 2),
            "base": "yes_no",
            "kind": "constitution" if motion.amends_constitution else "programme",
        }
        if (share, ours["base"] == "cast") >= (Fraction(rule["threshold"]), rule["base"] == "cast"):
            rule = ours
    return {**rule, "name": rule_text(rule)}


RULE_CODES = (*_STANDING, "constitution", "programme")


def rule_code(rule: dict | None) -> str | None:
    """A vote's majority rule as a stable code (``RULE_CODES``), for clients to rely on.

    A rule stored before it was named by ``kind`` is recognised by its English words
    among the standing orders' majorities; a rule of its own words has no code (None).
    """
    rule = rule or {}
    kind = rule.get("kind")
    if kind is None:
        with translation.override("en"):
            english = _names()
        kind = next((name for name, words in english.items() if words == rule.get("name")), None)
    return kind if kind in RULE_CODES else None


def rule_text(rule: dict | None) -> str:
    """A vote's majority rule in words, in the active language, from its parameters.

    Rules are read by ``rule_code``; any other keeps its stored words.
    """
    rule = rule or {}
    kind = rule_code(rule)
    if kind in _STANDING:
        return _names()[kind]
    if kind in ("constitution", "programme"):
        return _t(
            "%(m)s majority of the yes and no votes, as the constitution requires for %(what)s"
        ) % {
            "m": rule.get("threshold", "2/3"),
            "what": _t("constitutional change")
            if kind == "constitution"
            else _t("changes to the programme"),
        }
    return rule.get("name") or _names()["simple"]


# --- outcome ----------------------------------------------------------------------------------


def outcome(vote) -> str:
    """ "open", "carried", "not carried", "not quorate", or for a ranking "ordered"."""
    if vote.quorate is None and not vote.election.result:
        return "open"
    if vote.quorate is False:
        return "not quorate"
    if vote.is_ranking:
        return "ordered"
    return "carried" if vote.election.passed else "not carried"


def outcome_label(vote) -> str:
    return {
        "open": _t("Open"),
        "carried": _t("Carried"),
        "not carried": _t("Not carried"),
        "not quorate": _t("Not quorate"),
        "ordered": _t("Ordered"),
    }[outcome(vote)]
