"""Notices to members: in Tribune at once, by email through the outbox; each once.

A notice is a row keyed by (member, key): writing the same notice twice writes
it once (the unique constraint, ``ignore_conflicts``), so a trigger racing its
own retry, or the clock and a reader settling the same deadline, cannot notify
anyone twice. Emails are queued by ``send_pending`` (the clock), which claims
each notice with a conditional update and queues its email in the same
transaction (tribune/outbox: sent after the commit, retried until it goes or
visibly fails), so each notice is emailed once.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tribune.outbox.services import queue_email
from tribune.struggles.models import EmailChoice, Notice, NoticePreference

logger = logging.getLogger(__name__)


def notify(member_ids, key: str, text: str, link: str = "") -> int:
    """Write one notice per member for ``key`` (members already noticed are skipped)."""
    rows = [Notice(member_id=m, key=key, text=text[:500], link=link) for m in member_ids]
    before = Notice.objects.filter(key=key).count()
    Notice.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return Notice.objects.filter(key=key).count() - before


def unread(member):
    if member is None:
        return Notice.objects.none()
    return Notice.objects.filter(member=member, read_at__isnull=True)


def mark_read(member) -> int:
    return unread(member).update(read_at=timezone.now())


def set_email_preference(member, choice: str) -> NoticePreference:
    from django.utils.translation import gettext as _t

    from tribune.lib.errors import RuleViolation

    if choice not in EmailChoice.values:
        raise RuleViolation(_t("Choose one of the listed options."), "email")
    preference, _created = NoticePreference.objects.update_or_create(
        member=member, defaults={"email": choice}
    )
    return preference


def email_preference(member) -> str:
    found = NoticePreference.objects.filter(member=member).values_list("email", flat=True).first()
    return found or EmailChoice.EACH


def _members_choosing(choice: str):
    return NoticePreference.objects.filter(email=choice).values("member_id")


def send_pending(limit: int = 500) -> int:
    """Queue emails for notices not yet emailed; each claimed first, so never queued twice.

    Members who chose no email have their notices marked as handled; those who
    chose a digest are left to ``send_digests``.
    """
    sent = 0
    unsent = Notice.objects.filter(emailed_at__isnull=True)
    unsent.filter(member_id__in=_members_choosing(EmailChoice.NONE)).update(
        emailed_at=timezone.now()
    )
    ids = list(
        unsent.exclude(member_id__in=_members_choosing(EmailChoice.DIGEST)).values_list(
            "pk", flat=True
        )[:limit]
    )
    for pk in ids:
        try:
            sent += _send_one(pk)
        except Exception:  # one bad address or a mail server hiccup: the others still go
            logger.exception("Notice %s was not queued for email; the next tick tries again", pk)
    return sent


def _send_one(pk: int) -> int:
    with transaction.atomic():
        claimed = Notice.objects.filter(pk=pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            return 0
        notice = Notice.objects.select_related("member").get(pk=pk)
        email = notice.member.email
        if not email:
            return 0
        site = settings.TRIBUNE_SITE_URL.rstrip("/")
        link = f"\n\n{site}{notice.link}" if notice.link else ""
        queue_email(email, notice.text[:150], notice.text + link, kind="notice")
        return 1


def send_digests() -> int:
    """Queue one email per member who chose a digest, with every notice not yet emailed."""
    sent = 0
    members = (
        Notice.objects.filter(
            emailed_at__isnull=True, member_id__in=_members_choosing(EmailChoice.DIGEST)
        )
        .values_list("member_id", flat=True)
        .distinct()
    )
    for member_id in list(members):
        try:
            with transaction.atomic():
                pending = list(
                    Notice.objects.select_for_update()
                    .filter(member_id=member_id, emailed_at__isnull=True)
                    .order_by("created_at")
                )
                if not pending:
                    continue
                Notice.objects.filter(pk__in=[n.pk for n in pending]).update(
                    emailed_at=timezone.now()
                )
                email = Notice.objects.select_related("member").get(pk=pending[0].pk).member.email
                if email:
                    site = settings.TRIBUNE_SITE_URL.rstrip("/")
                    body = "\n\n".join(
                        n.text + (f"\n{site}{n.link}" if n.link else "") for n in pending
                    )
                    queue_email(email, f"Tribune: {len(pending)} notices", body, kind="digest")
                    sent += 1
        except Exception:
            logger.exception(
                "The digest for member %s was not sent; tomorrow tries again", member_id
            )
    return sent
