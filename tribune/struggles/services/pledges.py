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
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.lib import events
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.struggles import rules
from tribune.struggles.models import Commitment, Pledge, PledgeState, Struggle
from tribune.struggles.services.common import branch_of, moment, text, whole
from tribune.struggles.services.notices import notify
from tribune.struggles.signals import pledge_counted

MAX_THRESHOLD = 10_000_000


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
) -> Pledge:
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
    pledge = Pledge.objects.create(
        organisation=organisation,
        branch=owner,
        struggle=struggle,
        action=text(action, field="action", max_length=300),
        details=text(details, field="details", max_length=20000, required=False, one_line=False),
        unit=text(unit, field="unit", max_length=200, required=False),
        threshold=whole(threshold, field="threshold", low=1, high=MAX_THRESHOLD),
        deadline=deadline,
        follow_up_days=follow_up_days,
        created_by=member,
        term=term,
    )
    record(
        organisation,
        "pledge.created",
        actor=member,
        term=term,
        target=pledge,
        data={"action": pledge.action, "threshold": pledge.threshold},
    )
    return pledge


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


@transaction.atomic
def make_pledge(member, pledge: Pledge) -> Commitment:
    """Pledge; the pledge that reaches the threshold triggers it, here, exactly once."""
    pledge = (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("branch", "organisation")
        .get(pk=pledge.pk)
    )
    _may_pledge(member, pledge)
    now = timezone.now()
    if pledge.state(now) == PledgeState.FAILED:
        raise RuleViolation(_t("The deadline has passed: this pledge can no longer be made."))
    commitment, created = Commitment.objects.get_or_create(pledge=pledge, member=member)
    if not created and commitment.withdrawn_at is None:
        return commitment  # already pledged: the same pledge, not a second one
    late = pledge.triggered_at is not None
    commitment.withdrawn_at, commitment.late = None, late
    commitment.save(update_fields=["withdrawn_at", "late"])
    pledge.count += 1
    fields = ["count"]
    # Told before this pledge's own trigger is logged, so a coalition pledge's row is
    # always locked before an organisation's (one lock order: no deadlock).
    pledge_counted.send(sender=Pledge, pledge=pledge)
    if late:
        notify(
            [member.pk],
            f"pledge:{pledge.pk}:triggered",
            _t("“%(action)s” had already reached its %(n)s: it is on. Your pledge counts too.")
            % {"action": pledge.action, "n": pledge.threshold},
            link(pledge),
        )
    elif pledge.count >= pledge.threshold:
        pledge.triggered_at = now
        fields.append("triggered_at")
        _announce_trigger(pledge)
    pledge.save(update_fields=fields)
    events.publish(channel(pledge), "pledge", _public(pledge, now))
    return commitment


def _announce_trigger(pledge: Pledge) -> None:
    pledgers = Commitment.objects.filter(pledge=pledge, withdrawn_at__isnull=True).values_list(
        "member_id", flat=True
    )
    notify(
        pledgers,
        f"pledge:{pledge.pk}:triggered",
        _t("%(n)s have pledged: “%(action)s” is on. Time to act together.")
        % {"n": pledge.threshold, "action": pledge.action},
        link(pledge),
    )
    record(
        pledge.organisation,
        "pledge.triggered",
        target=pledge,
        data={"count": pledge.count, "threshold": pledge.threshold},
    )


@transaction.atomic
def withdraw(member, pledge: Pledge) -> Commitment:
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    commitment = Commitment.objects.filter(
        pledge=pledge, member=member, withdrawn_at__isnull=True
    ).first()
    if commitment is None:
        raise RuleViolation(_t("You have not pledged."))
    now = timezone.now()
    if pledge.state(now) == PledgeState.FAILED:
        raise RuleViolation(_t("The deadline has passed: this pledge is closed."))
    commitment.withdrawn_at = now
    commitment.save(update_fields=["withdrawn_at"])
    Pledge.objects.filter(pk=pledge.pk).update(count=F("count") - 1)
    pledge.refresh_from_db(fields=["count"])
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
    now = now or timezone.now()
    with transaction.atomic():
        if not Pledge.objects.filter(pk=pledge.pk, triggered_at__isnull=True).update(
            triggered_at=now
        ):
            return False
        pledge.refresh_from_db()
        _announce_trigger(pledge)
    events.publish(channel(pledge), "pledge", _public(pledge, now))
    return True


def settle(pledge: Pledge, now=None) -> bool:
    """Write the failure notices of a pledge past its deadline, once (True if this call did)."""
    now = now or timezone.now()
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


def follow_up(pledge: Pledge, now=None) -> bool:
    """Ask every pledger of a triggered pledge "did you act?", once, when the time comes."""
    now = now or timezone.now()
    if pledge.triggered_at is None or not pledge.follow_up_days or pledge.follow_up_sent_at:
        return False
    if now < pledge.triggered_at + timedelta(days=pledge.follow_up_days):
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
    if commitment is None or pledge.triggered_at is None:
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
    failed = each_alone(due_failures, lambda p: settle(p, now), what="pledge")
    followed = each_alone(due_follow_ups, lambda p: follow_up(p, now), what="pledge")
    return {"failed": sum(bool(x) for x in failed), "follow_ups": sum(bool(x) for x in followed)}


def _public(pledge: Pledge, now=None) -> dict:
    return {
        "id": pledge.pk,
        "count": pledge.count,
        "threshold": pledge.threshold,
        "state": pledge.state(now),
    }


def own_commitment(member, pledge: Pledge) -> Commitment | None:
    """The viewer's own pledge, if any: the only name anyone is shown is their own."""
    if member is None:
        return None
    return Commitment.objects.filter(pledge=pledge, member=member).first()


def visible_pledges(viewer, organisation):
    from tribune.struggles.models import Visibility

    qs = Pledge.objects.filter(organisation=organisation).select_related("struggle", "branch")
    if not rules.is_member(viewer, organisation):
        qs = qs.filter(struggle__isnull=True) | qs.filter(struggle__visibility=Visibility.PUBLIC)
    return qs
