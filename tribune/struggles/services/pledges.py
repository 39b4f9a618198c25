"""Critical-mass pledges: "we will do X if N commit by D".

The rules, each enforced here:

* One pledge per member per pledge (a database constraint); pledging twice is
  answered with the pledge already made.
* The N-th pledge triggers **in its own transaction**: pledging locks the
  pledge's row (``select_for_update``), so concurrent pledgers queue on it and
  exactly one of them sees the count reach N and sets ``triggered_at``.
* Triggered stays triggered: a later withdrawal lowers the count and is logged
  (as a count, naming no one), never reverting the trigger.
* After the deadline an untriggered pledge reads **failed** when read
  (``Pledge.state``), with no worker running; ``settle`` (called by readers and
  by the clock) writes the failure notices, once, claimed by a conditional update.
* A pledge made after the trigger is marked late and told at once.
* Who pledged is private: no officer sees it, the audit log records the
  trigger and the failure as counts, pledging is not logged at all, and notices
  go to each pledger privately in Tribune (and by email, by the task queue).
* Per-unit targets: a pledge may name units (buildings, workplaces), each with
  a target; each pledger says which unit they are in, and the pledge triggers
  only when the number is reached and every unit has reached its target.
* The optional second key: reaching the number (the trigger, as above) then
  waits for a go, given by a named body (any of its current members, logged
  with their mandate) or by the pledgers' own vote (more go than stop; decided
  at once when more than half of the pledgers say the same, otherwise when the
  time to decide ends). No go by then means no go. The go or the stop is told
  to every pledger once; each vote is private like the pledge itself.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.lib import events
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.struggles import rules
from tribune.struggles.models import (
    Commitment,
    Pledge,
    PledgeState,
    PledgeUnit,
    SecondKey,
    Struggle,
)
from tribune.struggles.services.common import branch_of, moment, text, whole
from tribune.struggles.services.notices import notify
from tribune.struggles.signals import pledge_counted

logger = logging.getLogger(__name__)

MAX_THRESHOLD = 10_000_000
MAX_UNITS = 50
MAX_DECIDE_HOURS = 24 * 60


def link(pledge: Pledge) -> str:
    return reverse("web:pledge", args=[pledge.organisation.slug, pledge.pk])


def channel(pledge: Pledge) -> str:
    return f"pledge:{pledge.pk}"


@transaction.atomic
def create_pledge(
    member,
    organisation,
    *,
    action: str,
    threshold: int,
    deadline,
    branch: str | None = None,
    struggle: Struggle | None = None,
    unit: str = "",
    details: str = "",
    follow_up_days: int | None = None,
    units: list[dict] | None = None,
    second_key: str = SecondKey.NONE,
    decider: str | None = None,
    decide_hours: int | None = None,
) -> Pledge:
    """Open a pledge (a mandate's act, logged); ``units`` are [{"name", "target"}]."""
    if struggle is not None:
        if struggle.organisation_id != organisation.pk:
            raise RuleViolation(_t("No struggle of this organisation has this number."), "struggle")
        owner = struggle.branch
    else:
        owner = branch_of(organisation, branch)
    term = rules.mandate(member, owner, organisation)
    deadline = moment(deadline, field="deadline")
    if deadline <= timezone.now():
        raise RuleViolation(_t("The deadline must be in the future."), "deadline")
    if follow_up_days is not None:
        whole(follow_up_days, field="follow_up_days", low=1, high=365)
    threshold = whole(threshold, field="threshold", low=1, high=MAX_THRESHOLD)
    unit_rows = _units(units, threshold)
    second_key, body, decide_hours = _second_key(organisation, second_key, decider, decide_hours)
    pledge = Pledge.objects.create(
        organisation=organisation,
        branch=owner,
        struggle=struggle,
        action=text(action, field="action", max_length=300),
        details=text(details, field="details", max_length=20000, required=False, one_line=False),
        unit=text(unit, field="unit", max_length=200, required=False),
        threshold=threshold,
        deadline=deadline,
        follow_up_days=follow_up_days,
        second_key=second_key,
        decider=body,
        decide_hours=decide_hours,
        created_by=member,
        term=term,
    )
    PledgeUnit.objects.bulk_create(
        [PledgeUnit(pledge=pledge, name=n, target=t) for n, t in unit_rows]
    )
    record(
        organisation,
        "pledge.created",
        actor=member,
        term=term,
        target=pledge,
        data={
            "action": pledge.action,
            "threshold": pledge.threshold,
            "units": {n: t for n, t in unit_rows},
            "second_key": second_key,
            "decider": body.name if body else "",
        },
    )
    return pledge


def _units(units, threshold: int) -> list[tuple[str, int]]:
    """The named units and their targets, checked: distinct names, each target within N."""
    if units is None:
        return []
    if not isinstance(units, list) or len(units) > MAX_UNITS:
        raise RuleViolation(_t("Give at most %(n)s units.") % {"n": MAX_UNITS}, "units")
    rows, seen = [], set()
    for item in units:
        if not isinstance(item, dict):
            raise RuleViolation(_t("Give each unit a name and a target."), "units")
        name = text(item.get("name"), field="units", max_length=200)
        target = whole(item.get("target"), field="units", low=1, high=threshold)
        if name.casefold() in seen:
            raise RuleViolation(_t("Two units have the same name."), "units")
        seen.add(name.casefold())
        rows.append((name, target))
    return rows


def _second_key(organisation, second_key, decider, decide_hours):
    if second_key is None:
        second_key = SecondKey.NONE
    if second_key not in SecondKey.values:
        raise RuleViolation(_t("Choose one of the listed options."), "second_key")
    if not second_key:
        if decider or decide_hours is not None:
            raise RuleViolation(_t("Choose a second key first."), "second_key")
        return "", None, None
    if decide_hours is None:
        raise RuleViolation(_t("Say how many hours there are to decide."), "decide_hours")
    decide_hours = whole(decide_hours, field="decide_hours", low=1, high=MAX_DECIDE_HOURS)
    body = None
    if second_key == SecondKey.BODY:
        from tribune.offices.models import Body

        if not decider or not isinstance(decider, str):
            raise RuleViolation(_t("Name the body that decides."), "decider")
        body = Body.objects.filter(
            organisation=organisation, slug=decider, abolished_at__isnull=True
        ).first()
        if body is None:
            raise RuleViolation(_t("No body has this short name here."), "decider")
    elif decider:
        raise RuleViolation(_t("Only a body's decision names a body."), "decider")
    return second_key, body, decide_hours


def _may_pledge(member, pledge: Pledge) -> None:
    if member is None or member.organisation_id != pledge.organisation_id:
        raise NotPermitted(_t("Only members of this organisation can pledge."))
    if not member.in_good_standing:
        raise NotPermitted(_t("Only members in good standing can pledge."))
    if pledge.branch_id and not (
        member.home_branch_id and pledge.branch.contains(member.home_branch)
    ):
        raise NotPermitted(
            _t("This pledge is for members of %(branch)s.") % {"branch": pledge.branch.name}
        )


CLOSED = (PledgeState.FAILED, PledgeState.CALLED_OFF)


def _unit_of(pledge: Pledge, unit: str | None) -> PledgeUnit | None:
    units = list(pledge.units.all())
    if not units:
        return None
    if not unit or not isinstance(unit, str):
        raise RuleViolation(_t("Say which unit you are in."), "unit")
    found = next((u for u in units if u.name.casefold() == unit.strip().casefold()), None)
    if found is None:
        raise RuleViolation(_t("This pledge has no unit of that name."), "unit")
    return found


@transaction.atomic
def make_pledge(member, pledge: Pledge, unit: str | None = None) -> Commitment:
    """Pledge; the pledge that reaches the threshold triggers it, here, exactly once.

    With units, ``unit`` names the pledger's; the trigger also needs every unit
    at its target (the unit counts change only under this row lock).
    """
    pledge = (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("branch", "organisation")
        .get(pk=pledge.pk)
    )
    _may_pledge(member, pledge)
    now = timezone.now()
    state = pledge.state(now)
    if state == PledgeState.FAILED:
        raise RuleViolation(_t("The deadline has passed: this pledge can no longer be made."))
    if state == PledgeState.CALLED_OFF:
        raise RuleViolation(_t("No go was given: this pledge is closed."))
    commitment, created = Commitment.objects.get_or_create(pledge=pledge, member=member)
    if not created and commitment.withdrawn_at is None:
        return commitment  # already pledged: the same pledge, not a second one
    chosen = _unit_of(pledge, unit)
    late = pledge.triggered_at is not None
    commitment.withdrawn_at, commitment.late = None, late
    commitment.unit, commitment.go_vote = chosen, None
    commitment.save(update_fields=["withdrawn_at", "late", "unit", "go_vote"])
    if chosen is not None:
        PledgeUnit.objects.filter(pk=chosen.pk).update(count=F("count") + 1)
    pledge.count += 1
    fields = ["count"]
    # Told before this pledge's own trigger is logged, so a coalition pledge's row is
    # always locked before an organisation's (one lock order: no deadlock).
    pledge_counted.send(sender=Pledge, pledge=pledge)
    if late:
        notify(
            [member.pk], f"pledge:{pledge.pk}:triggered", _late_text(pledge, state), link(pledge)
        )
    elif pledge.count >= pledge.threshold and _units_reached(pledge):
        pledge.triggered_at = now
        fields.append("triggered_at")
        if pledge.second_key:
            pledge.decide_by = now + timedelta(hours=pledge.decide_hours or 1)
            fields.append("decide_by")
        _announce_trigger(pledge)
    pledge.save(update_fields=fields)
    events.publish(channel(pledge), "pledge", _public(pledge, now))
    return commitment


def _units_reached(pledge: Pledge) -> bool:
    return not pledge.units.filter(count__lt=F("target")).exists()


def _late_text(pledge: Pledge, state: str) -> str:
    values = {"action": pledge.action, "n": pledge.threshold}
    if state == PledgeState.AWAITING:
        text_ = _t(
            "“%(action)s” had already reached its %(n)s; the go is still to be given. "
            "Your pledge counts too."
        )
    elif state == PledgeState.TRIGGERED:
        text_ = _t("“%(action)s” had already reached its %(n)s: it is on. Your pledge counts too.")
    else:
        text_ = _t("“%(action)s” had already reached its %(n)s. Your pledge counts too.")
    return text_ % values


def _announce_trigger(pledge: Pledge) -> None:
    """Log the trigger (a count) and queue the telling of every pledger, after the commit.

    The trigger's transaction writes no notice: with 15,000 pledgers that took
    seconds under the pledge's row lock, every other pledger waiting. Its
    ``trigger_told_at`` left empty is the durable to-do, committed with the
    trigger; ``tell_triggered`` does it in the task queue (and the clock, should
    the queue's request be lost), each notice keyed once per pledger.
    """
    record(
        pledge.organisation,
        "pledge.triggered",
        target=pledge,
        data={"count": pledge.count, "threshold": pledge.threshold},
    )
    pk = pledge.pk
    transaction.on_commit(lambda: _tell_soon(pk))


def _tell_soon(pk: int) -> None:
    try:
        from tribune.struggles.tasks import tell_pledgers

        tell_pledgers(pk)
    except Exception as error:  # the queue's store is down: the clock tells them
        logger.warning("Pledge %s triggered; the task queue was not reachable (%s)", pk, error)


def _trigger_text(pledge: Pledge) -> str:
    values = {"n": pledge.threshold, "action": pledge.action}
    if pledge.second_key == SecondKey.BODY:
        return _t(
            "%(n)s have pledged to “%(action)s”. %(body)s now decides whether we go; "
            "you will be told."
        ) % {**values, "body": pledge.decider.name if pledge.decider else ""}
    if pledge.second_key == SecondKey.VOTE:
        return (
            _t(
                "%(n)s have pledged to “%(action)s”. Now those who pledged vote on the go: "
                "give your vote on the pledge's page."
            )
            % values
        )
    return _t("%(n)s have pledged: “%(action)s” is on. Time to act together.") % values


TELL_BATCH = 2000


def told_at_trigger(pledge: Pledge):
    """The pledgers at the trigger: pledged before it, and not withdrawn by then.

    A pledge made after the trigger is ``late`` (told as it is made); one withdrawn
    after the trigger was counted in it, so it is told, as when the notices were
    written with the trigger.
    """
    return Commitment.objects.filter(pledge=pledge, late=False).filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=pledge.triggered_at)
    )


def tell_triggered(pk: int, batch: int = TELL_BATCH) -> int:
    """Write the trigger notice of every pledger at the trigger, once; how many were new.

    Run by the task queue after the trigger commits, and by the clock for any
    trigger not yet told (a lost request, a worker killed midway). In batches
    by member, each its own short transaction; a notice already written (a
    retry, two runs at once, a late pledger told first) is skipped by the
    notice's unique (member, key), so running it again tells no one twice.
    """
    pledge = Pledge.objects.select_related("organisation", "decider").get(pk=pk)
    if pledge.triggered_at is None or pledge.trigger_told_at is not None:
        return 0
    key, text_, url = f"pledge:{pledge.pk}:triggered", _trigger_text(pledge), link(pledge)
    pledgers = told_at_trigger(pledge).order_by("member_id").values_list("member_id", flat=True)
    written, after = 0, 0
    while True:
        ids = list(pledgers.filter(member_id__gt=after)[:batch])
        if not ids:
            break
        with transaction.atomic():
            written += notify(ids, key, text_, url)
        after = ids[-1]
    Pledge.objects.filter(pk=pk, trigger_told_at__isnull=True).update(
        trigger_told_at=timezone.now()
    )
    return written


def _decide(pledge: Pledge, go: bool, now, *, actor=None, term=None) -> None:
    """Write the go (or the stop) and tell every pledger, once; called under the row lock."""
    pledge.decided_at, pledge.go = now, go
    pledge.save(update_fields=["decided_at", "go"])
    pledgers = Commitment.objects.filter(pledge=pledge, withdrawn_at__isnull=True).values_list(
        "member_id", flat=True
    )
    values = {"action": pledge.action}
    notify(
        pledgers,
        f"pledge:{pledge.pk}:decided",
        (_t("The go is given: “%(action)s” is on. Time to act together.") % values)
        if go
        else (_t("No go was given: “%(action)s” is off.") % values),
        link(pledge),
    )
    record(
        pledge.organisation,
        "pledge.decided",
        actor=actor,
        term=term,
        target=pledge,
        data={
            "go": go,
            "count": pledge.count,
            "go_votes": pledge.go_votes,
            "stop_votes": pledge.stop_votes,
        },
    )
    events.publish(channel(pledge), "pledge", _public(pledge, now))


def _awaiting(pk: int, kind: str) -> Pledge:
    pledge = (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("organisation", "decider")
        .get(pk=pk)
    )
    if pledge.second_key != kind:
        raise RuleViolation(_t("This pledge has no such second key."))
    if pledge.state() != PledgeState.AWAITING:
        raise RuleViolation(_t("There is no go to decide now."))
    return pledge


@transaction.atomic
def decide_go(member, pledge: Pledge, go: bool) -> Pledge:
    """The named body's second key: one of its current members records its decision."""
    from tribune.offices.rules import seat_in

    if member is None or member.organisation_id != pledge.organisation_id:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    if not member.in_good_standing:
        raise NotPermitted(_t("Only members in good standing exercise any power."))
    pledge = _awaiting(pledge.pk, SecondKey.BODY)
    if pledge.decider is None:
        raise NotPermitted(_t("The body that was to decide no longer exists."))
    term = seat_in(member, pledge.decider)
    _decide(pledge, bool(go), timezone.now(), actor=member, term=term)
    return pledge


def may_decide(member, pledge: Pledge) -> bool:
    """Whether ``member`` may give the go now (a current seat on the deciding body)."""
    from tribune.offices.rules import seat_in

    if pledge.second_key != SecondKey.BODY or pledge.decider_id is None or member is None:
        return False
    if pledge.state() != PledgeState.AWAITING:
        return False
    try:
        seat_in(member, pledge.decider)
    except NotPermitted:
        return False
    return True


@transaction.atomic
def vote_go(member, pledge: Pledge, go: bool) -> Commitment:
    """A pledger's vote on the go (changeable while the vote is open); private, counted.

    More than half of the pledgers saying the same decides at once; otherwise
    the counts decide when the time to decide ends (``Pledge.state``).
    """
    if member is None or member.organisation_id != pledge.organisation_id:
        raise NotPermitted(_t("Only those who pledged vote on the go."))
    if not member.in_good_standing:
        raise NotPermitted(_t("Only members in good standing can vote."))
    pledge = _awaiting(pledge.pk, SecondKey.VOTE)
    commitment = Commitment.objects.filter(
        pledge=pledge, member=member, withdrawn_at__isnull=True
    ).first()
    if commitment is None:
        raise NotPermitted(_t("Only those who pledged vote on the go."))
    go = bool(go)
    if commitment.go_vote is not None:
        if commitment.go_vote == go:
            return commitment
        if commitment.go_vote:
            pledge.go_votes -= 1
        else:
            pledge.stop_votes -= 1
    if go:
        pledge.go_votes += 1
    else:
        pledge.stop_votes += 1
    commitment.go_vote = go
    commitment.save(update_fields=["go_vote"])
    pledge.save(update_fields=["go_votes", "stop_votes"])
    _vote_decides(pledge, timezone.now())
    return commitment


def _vote_decides(pledge: Pledge, now) -> None:
    """More than half of the pledgers saying the same decides at once (under the row lock)."""
    if pledge.second_key != SecondKey.VOTE or pledge.state(now) != PledgeState.AWAITING:
        return
    if 2 * pledge.go_votes > pledge.count:
        _decide(pledge, True, now)
    elif 2 * pledge.stop_votes >= pledge.count:
        _decide(pledge, False, now)


@transaction.atomic
def withdraw(member, pledge: Pledge) -> Commitment:
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    commitment = Commitment.objects.filter(
        pledge=pledge, member=member, withdrawn_at__isnull=True
    ).first()
    if commitment is None:
        raise RuleViolation(_t("You have not pledged."))
    now = timezone.now()
    if pledge.state(now) in CLOSED:
        raise RuleViolation(_t("This pledge is closed."))
    vote = commitment.go_vote if pledge.decided_at is None else None
    commitment.withdrawn_at, commitment.go_vote = now, None
    commitment.save(update_fields=["withdrawn_at", "go_vote"])
    if commitment.unit_id:
        PledgeUnit.objects.filter(pk=commitment.unit_id).update(count=F("count") - 1)
    Pledge.objects.filter(pk=pledge.pk).update(
        count=F("count") - 1,
        go_votes=F("go_votes") - (1 if vote is True else 0),
        stop_votes=F("stop_votes") - (1 if vote is False else 0),
    )
    pledge.refresh_from_db(fields=["count", "go_votes", "stop_votes"])
    _vote_decides(pledge, now)
    if pledge.triggered_at is not None:
        # Logged as a count: the trigger stands, and no one is named.
        record(
            pledge.organisation,
            "pledge.withdrawn_after_trigger",
            target=pledge,
            data={"count": pledge.count},
        )
    pledge_counted.send(sender=Pledge, pledge=pledge)
    events.publish(channel(pledge), "pledge", _public(pledge, now))
    return commitment


def trigger(pledge: Pledge, now=None) -> bool:
    """Trigger a pledge reached by a count beyond its own (a coalition pledge's total), once.

    Claimed by a conditional update, so a trigger racing its own retry (or the
    pledge's own N-th pledge) notifies each pledger once. True if this call triggered it.
    """
    with transaction.atomic():
        # Locked first, so that the trigger's time comes after any withdrawal before it
        # (the pledgers told are those not withdrawn by then: ``told_at_trigger``).
        Pledge.objects.select_for_update(of=("self",)).filter(pk=pledge.pk).first()
        now = now or timezone.now()
        if not Pledge.objects.filter(pk=pledge.pk, triggered_at__isnull=True).update(
            triggered_at=now
        ):
            return False
        pledge.refresh_from_db()
        _announce_trigger(pledge)
    events.publish(channel(pledge), "pledge", _public(pledge, now))
    return True


def settle(pledge: Pledge, now=None) -> bool:
    """Write the failure notices of a pledge past its deadline, once (True if this call did).

    For a second key whose time to decide has ended, write the decision the
    state already reads (the vote's counts, or no go), once, under the row lock.
    """
    now = now or timezone.now()
    if pledge.second_key and pledge.triggered_at is not None:
        return _settle_decision(pledge, now)
    if pledge.triggered_at is not None or pledge.failure_noticed_at is not None:
        return False
    if now <= pledge.deadline:
        return False
    with transaction.atomic():
        claimed = Pledge.objects.filter(
            pk=pledge.pk,
            triggered_at__isnull=True,
            failure_noticed_at__isnull=True,
            deadline__lt=now,
        ).update(failure_noticed_at=now)
        if not claimed:
            return False
        pledge.failure_noticed_at = now
        pledgers = Commitment.objects.filter(pledge=pledge, withdrawn_at__isnull=True).values_list(
            "member_id", flat=True
        )
        notify(
            pledgers,
            f"pledge:{pledge.pk}:failed",
            _t("“%(action)s” did not reach %(n)s by its deadline (%(count)s pledged): it is off.")
            % {"action": pledge.action, "n": pledge.threshold, "count": pledge.count},
            link(pledge),
        )
        record(
            pledge.organisation,
            "pledge.failed",
            target=pledge,
            data={"count": pledge.count, "threshold": pledge.threshold},
        )
    return True


def _settle_decision(pledge: Pledge, now) -> bool:
    if pledge.decided_at is not None or pledge.decide_by is None or now <= pledge.decide_by:
        return False
    with transaction.atomic():
        locked = (
            Pledge.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=pledge.pk)
        )
        if locked.decided_at is not None:
            return False
        _decide(locked, locked.vote_says_go(), now)
    pledge.decided_at, pledge.go = locked.decided_at, locked.go
    return True


def _went_ahead_at(pledge: Pledge, now):
    """When the action was on: the trigger, or with a second key the go."""
    if pledge.state(now) != PledgeState.TRIGGERED:
        return None
    if not pledge.second_key:
        return pledge.triggered_at
    return min(d for d in (pledge.decided_at, pledge.decide_by) if d is not None)


def follow_up(pledge: Pledge, now=None) -> bool:
    """Ask every pledger of a triggered pledge "did you act?", once, when the time comes."""
    now = now or timezone.now()
    if pledge.triggered_at is None or not pledge.follow_up_days or pledge.follow_up_sent_at:
        return False
    went = _went_ahead_at(pledge, now)
    if went is None or now < went + timedelta(days=pledge.follow_up_days):
        return False
    with transaction.atomic():
        if not Pledge.objects.filter(pk=pledge.pk, follow_up_sent_at__isnull=True).update(
            follow_up_sent_at=now
        ):
            return False
        pledgers = Commitment.objects.filter(pledge=pledge, withdrawn_at__isnull=True).values_list(
            "member_id", flat=True
        )
        notify(
            pledgers,
            f"pledge:{pledge.pk}:follow-up",
            _t("Did you act on “%(action)s”? Tell us on the pledge's page.")
            % {"action": pledge.action},
            link(pledge),
        )
    return True


@transaction.atomic
def report_acted(member, pledge: Pledge, acted: bool) -> Commitment:
    commitment = Commitment.objects.filter(
        pledge=pledge, member=member, withdrawn_at__isnull=True
    ).first()
    if commitment is None or pledge.state() != PledgeState.TRIGGERED:
        raise RuleViolation(_t("Only those who pledged to a pledge that was reached can say this."))
    commitment.acted = bool(acted)
    commitment.save(update_fields=["acted"])
    return commitment


def clock(now=None) -> dict:
    """The periodic step: failure notices and follow-ups that are due (each pledge alone)."""
    from tribune.lib.clock import each_alone

    now = now or timezone.now()
    due_failures = Pledge.objects.filter(
        triggered_at__isnull=True, failure_noticed_at__isnull=True, deadline__lt=now
    )
    due_follow_ups = Pledge.objects.filter(
        triggered_at__isnull=False, follow_up_days__isnull=False, follow_up_sent_at__isnull=True
    )
    due_decisions = Pledge.objects.filter(
        triggered_at__isnull=False, decided_at__isnull=True, decide_by__lt=now
    ).exclude(second_key="")
    due_tellings = Pledge.objects.filter(triggered_at__isnull=False, trigger_told_at__isnull=True)
    told = [_tell_alone(pk) for pk in due_tellings.values_list("pk", flat=True)]
    failed = each_alone(due_failures, lambda p: settle(p, now), what="pledge")
    decided = each_alone(due_decisions, lambda p: settle(p, now), what="pledge")
    followed = each_alone(due_follow_ups, lambda p: follow_up(p, now), what="pledge")
    return {
        "told": sum(x or 0 for x in told),
        "failed": sum(bool(x) for x in failed),
        "decided": sum(bool(x) for x in decided),
        "follow_ups": sum(bool(x) for x in followed),
    }


def _tell_alone(pk: int) -> int:
    """``tell_triggered`` in its own batches (not one long transaction); a failure is logged."""
    try:
        return tell_triggered(pk)
    except Exception:
        logger.exception("The clock did not tell pledge %s's pledgers; the next tick tries", pk)
        return 0


def _public(pledge: Pledge, now=None) -> dict:
    return {
        "id": pledge.pk,
        "count": pledge.count,
        "threshold": pledge.threshold,
        "state": pledge.state(now),
    }


def unit_counts(pledge: Pledge) -> list[dict]:
    """Each unit's public count and target (counts only, like the total)."""
    return [
        {"name": u.name, "target": u.target, "count": u.count, "reached": u.reached}
        for u in pledge.units.all()
    ]


def own_commitment(member, pledge: Pledge) -> Commitment | None:
    """The viewer's own pledge, if any: the only name anyone is shown is their own."""
    if member is None:
        return None
    return Commitment.objects.filter(pledge=pledge, member=member).first()


def visible_pledges(viewer, organisation):
    from tribune.struggles.models import Visibility

    qs = (
        Pledge.objects.filter(organisation=organisation)
        .select_related("struggle", "branch", "decider")
        .prefetch_related("units")
    )
    if not rules.is_member(viewer, organisation):
        qs = qs.filter(struggle__isnull=True) | qs.filter(struggle__visibility=Visibility.PUBLIC)
    return qs
