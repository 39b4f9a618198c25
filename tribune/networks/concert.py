"""Acting in concert: one threshold, pledges made in every member organisation.

A concert pledge belongs to a coalition or a network. Each participating
organisation opens its own **chapter** — an ordinary pledge of its own
(tribune.struggles), which its members make and withdraw there, privately —
and reports only its **count** (``report_count``: a number per organisation,
never a name). The concert's home server keeps the counts and their total in
one transaction per report, the concert row locked, so when the total crosses
the threshold it fires exactly once (``triggered_at``, claimed under the lock).

Firing reaches each pledger exactly once, and only through their own
organisation: each chapter is triggered by ``tribune.struggles.services.pledges
.trigger`` (a conditional update; each notice keyed once per member), which
writes the notices and queues their emails through the outbox. Chapters on
this server are triggered right after the commit (and again, harmlessly, by
``deliver`` from the clock should the process die in between); chapters on
other servers hear it through the ``concert_triggered`` signal, which the
federation turns into a message that calls ``receive_trigger`` there.

A coalition's pledge lives within the coalition: its deadline falls by the
coalition's last day, and once the coalition has ended no pledge or chapter is
opened in it (renewing it, with fresh ratifications, opens it again).
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.networks import decisions
from tribune.networks.common import (
    by_uri,
    concert_triggered,
    forward,
    local_organisation,
    mint,
)
from tribune.networks.models import Coalition, ConcertCount, ConcertPledge, Network
from tribune.struggles.services.common import moment, text, whole

logger = logging.getLogger(__name__)

MAX_THRESHOLD = 10_000_000
MAX_COUNT = 100_000_000


def _participating(holder, organisation) -> bool:
    from tribune.networks.networks import is_member

    if isinstance(holder, Coalition):
        return _ratified(holder, organisation.uri)
    return is_member(holder, organisation)


def _ratified(coalition: Coalition, organisation_uri: str) -> bool:
    """Whether the organisation's ratification counts in the coalition's current round."""
    from django.db.models import F

    from tribune.networks.models import ParticipationState

    return coalition.participations.filter(
        organisation_uri=organisation_uri,
        state=ParticipationState.RATIFIED,
        round=F("coalition__round"),
    ).exists()


def holder_of(pledge: ConcertPledge):
    return pledge.coalition or pledge.network


@transaction.atomic
def create(
    actor,
    organisation,
    holder: Coalition | Network,
    *,
    action: str,
    threshold: int,
    deadline,
    details: str = "",
) -> ConcertPledge:
    """An officer of a participating organisation opens a pledge of the coalition or network."""
    term = decisions.mandate(actor, organisation)
    if not _participating(holder, organisation):
        raise NotPermitted(_t("Only organisations taking part can open a pledge here."))
    if isinstance(holder, Coalition) and holder.status() == "expired":
        raise RuleViolation(_t("This coalition has ended: renew it first."), "coalition")
    if isinstance(holder, Coalition) and holder.status() != "active":
        raise RuleViolation(
            _t("Only an active coalition acts: two must have ratified."), "coalition"
        )
    deadline = moment(deadline, field="deadline")
    if deadline <= timezone.now():
        raise RuleViolation(_t("The deadline must be in the future."), "deadline")
    if isinstance(holder, Coalition) and timezone.localdate(deadline) > holder.ends_on:
        # A pledge outliving its coalition would take pledges for a coalition that has ended.
        raise RuleViolation(
            _t("The deadline must fall by the coalition's last day, %(day)s.")
            % {"day": date_format(holder.ends_on)},
            "deadline",
        )
    pledge = ConcertPledge(
        coalition=holder if isinstance(holder, Coalition) else None,
        network=holder if isinstance(holder, Network) else None,
        action=text(action, field="action", max_length=300),
        details=text(details, field="details", max_length=5000, required=False, one_line=False),
        threshold=whole(threshold, field="threshold", low=1, high=MAX_THRESHOLD),
        deadline=deadline,
        created_by_uri=organisation.uri,
    )
    pledge.uri = mint("concert-pledge", pledge.uid)
    pledge.save()
    record(
        organisation,
        "concert.opened",
        actor=actor,
        term=term,
        target=pledge,
        data={"pledge": pledge.uri, "action": pledge.action, "threshold": pledge.threshold},
    )
    return pledge


@transaction.atomic
def open_chapter(actor, organisation, pledge: ConcertPledge):
    """``organisation``'s own pledge toward ``pledge``, where its members pledge privately.

    Opened by its officer under its own ``run_struggles`` mandate (as any pledge
    of its own), marked as run with the coalition or network.
    """
    from tribune.struggles import rules
    from tribune.struggles.services import pledges

    rules.mandate(actor, None, organisation)  # the mandate first: 403 before any other answer
    holder = holder_of(pledge)
    if not _participating(holder, organisation):
        raise NotPermitted(_t("Only organisations taking part can pledge here."))
    if isinstance(holder, Coalition) and holder.status() == "expired":
        raise RuleViolation(_t("This coalition has ended: renew it first."), "pledge")
    if ConcertCount.objects.filter(pledge=pledge, chapter__organisation=organisation).exists():
        raise RuleViolation(_t("Your organisation already pledges to this."), "pledge")
    chapter = pledges.create_pledge(
        actor,
        organisation,
        action=pledge.action,
        threshold=pledge.threshold,
        deadline=pledge.deadline,
        details=pledge.details,
    )
    chapter.concert_uri, chapter.concert_name = holder.uri, holder.name
    chapter.save(update_fields=["concert_uri", "concert_name"])
    count, _created = ConcertCount.objects.update_or_create(
        pledge=pledge,
        organisation_uri=organisation.uri,
        defaults={"organisation_name": organisation.name, "chapter": chapter},
    )
    if pledge.triggered_at is not None:
        pledges.trigger(chapter)
    return chapter


@transaction.atomic
def report_count(
    pledge_uri: str, organisation_uri: str, count: int, organisation_name: str = ""
) -> ConcertPledge:
    """An organisation's count toward a concert pledge (the federation calls this too).

    The only thing any organisation tells about its pledgers is this number.
    The pledge's row is locked, so concurrent reports queue and exactly one sees
    the total cross the threshold. Triggered stays triggered.
    """
    found = by_uri(ConcertPledge, pledge_uri, "pledge")
    pledge = ConcertPledge.objects.select_for_update().get(pk=found.pk)
    if not pledge.home:
        raise RuleViolation(_t("This pledge is counted on its own server."), "pledge")
    if _ended(pledge):
        raise RuleViolation(
            _t("This coalition has ended: its pledges take no more counts."), "pledge"
        )
    count = whole(count, field="count", low=0, high=MAX_COUNT)
    row = ConcertCount.objects.filter(pledge=pledge, organisation_uri=organisation_uri).first()
    if row is None:
        if not _participating_uri(pledge, organisation_uri):
            raise NotPermitted(_t("Only organisations taking part can report a count."))
        row = ConcertCount.objects.create(
            pledge=pledge,
            organisation_uri=organisation_uri,
            organisation_name=organisation_name or organisation_uri,
        )
    row.count = count
    row.save(update_fields=["count", "updated_at"])
    pledge.total = sum(ConcertCount.objects.filter(pledge=pledge).values_list("count", flat=True))
    fields = ["total"]
    now = timezone.now()
    fired = False
    if pledge.triggered_at is None and pledge.total >= pledge.threshold and now <= pledge.deadline:
        pledge.triggered_at = now
        fields.append("triggered_at")
        fired = True
    pledge.save(update_fields=fields)
    if fired:
        _fired(pledge)
    return pledge


def _ended(pledge: ConcertPledge) -> bool:
    """Whether the pledge's coalition has passed its end date (a network's pledge: never)."""
    return pledge.coalition is not None and pledge.coalition.status() == "expired"


def _participating_uri(pledge: ConcertPledge, organisation_uri: str) -> bool:
    holder = holder_of(pledge)
    if isinstance(holder, Coalition):
        return _ratified(holder, organisation_uri)
    from tribune.networks.networks import members_of

    return members_of(holder).filter(member_uri=organisation_uri).exists()


def _fired(pledge: ConcertPledge) -> None:
    """Log the trigger on each local participant's side (as counts), then tell everyone."""
    uris = list(
        ConcertCount.objects.filter(pledge=pledge).values_list("organisation_uri", flat=True)
    )
    for uri in uris:
        organisation = local_organisation(uri)
        if organisation is not None:
            record(
                organisation,
                "concert.triggered",
                target=pledge,
                data={"pledge": pledge.uri, "total": pledge.total, "threshold": pledge.threshold},
            )

    def tell() -> None:
        deliver(pledge)
        concert_triggered.send(sender=ConcertPledge, pledge_uri=pledge.uri, organisation_uris=uris)

    transaction.on_commit(tell)


def deliver(pledge: ConcertPledge) -> int:
    """Trigger every chapter on this server of a triggered concert pledge (idempotent).

    Each chapter's pledgers are told by their own organisation, once
    (``pledges.trigger`` claims the chapter). Returns how many chapters this call triggered.
    """
    from tribune.struggles.services import pledges

    if pledge.triggered_at is None:
        return 0
    told = 0
    rows = ConcertCount.objects.filter(pledge=pledge, chapter__isnull=False, told_at__isnull=True)
    for row in rows.select_related("chapter"):
        try:
            if pledges.trigger(row.chapter):
                told += 1
            ConcertCount.objects.filter(pk=row.pk).update(told_at=timezone.now())
        except Exception:  # one chapter's failure must not keep the others from acting
            logger.exception("concert pledge %s: chapter %s not triggered", pledge.pk, row.pk)
    return told


@transaction.atomic
def receive_trigger(pledge_uri: str) -> int:
    """On a server holding a copy of a concert pledge: its home says it fired (once)."""
    found = by_uri(ConcertPledge, pledge_uri, "pledge")
    pledge = ConcertPledge.objects.select_for_update().get(pk=found.pk)
    if pledge.triggered_at is None:
        pledge.triggered_at = timezone.now()
        pledge.save(update_fields=["triggered_at"])
    transaction.on_commit(lambda: deliver(pledge))
    return 1


def deliver_all() -> int:
    """The clock's backstop: chapters of fired pledges not yet triggered (a crash between)."""
    told = 0
    due = ConcertPledge.objects.filter(
        triggered_at__isnull=False, counts__chapter__isnull=False, counts__told_at__isnull=True
    ).distinct()
    for pledge in due:
        told += deliver(pledge)
    return told


def on_pledge_counted(sender, *, pledge, **kwargs) -> None:
    """A chapter's count changed: report it to the concert (here, or to its home server)."""
    row = ConcertCount.objects.filter(chapter=pledge).select_related("pledge").first()
    if row is None:
        return
    concert = row.pledge
    if _ended(concert):
        # The member's own pledge (or withdrawal) stands in its organisation; the coalition
        # has ended, so its count is no longer reported (and would be refused).
        return
    values = {
        "pledge_uri": concert.uri,
        "organisation_uri": row.organisation_uri,
        "count": pledge.count,
        "organisation_name": row.organisation_name,
    }
    if concert.home:
        concert = report_count(**values)
        reaches_alone = pledge.count >= pledge.threshold  # its own pledge triggers it then
        if concert.triggered_at is not None and pledge.triggered_at is None and not reaches_alone:
            # This very chapter: triggered in the pledger's own transaction (on a fresh
            # copy: the pledger's instance is still being written by make_pledge).
            from tribune.struggles.models import Pledge
            from tribune.struggles.services import pledges

            pledges.trigger(Pledge.objects.get(pk=pledge.pk))
    else:
        ConcertCount.objects.filter(pk=row.pk).update(count=pledge.count)
        forward.send(sender=ConcertPledge, target_uri=concert.uri, action="count", values=values)


def counts(pledge: ConcertPledge) -> list[dict]:
    """Per organisation, its count: what every page and the API show (no names)."""
    return [
        {
            "organisation": c.organisation_name,
            "organisation_uri": c.organisation_uri,
            "count": c.count,
        }
        for c in pledge.counts.all()
    ]
