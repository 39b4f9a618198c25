"""Events: meetings, actions, pickets, study sessions; sign-up, reminders, changes.

A change of time or place raises the event's ``sequence`` (the iCalendar
SEQUENCE) and notifies everyone signed up; cancelling does too. Reminders go
at the event's offsets to those signed up only, each once (the notice key
names the offset and the sequence, so a moved event reminds afresh).
"""

import hashlib
import secrets
import zoneinfo
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.struggles import rules
from tribune.struggles.models import (
    CalendarToken,
    Event,
    EventKind,
    Signup,
    SignupState,
    Struggle,
    Visibility,
)
from tribune.struggles.services.common import branch_of, moment, text, whole
from tribune.struggles.services.notices import notify
from tribune.struggles.signals import event_changed, event_moving

MAX_REMINDER_MINUTES = 60 * 24 * 30


def link(event: Event) -> str:
    return reverse("web:event", args=[event.organisation.slug, event.pk])


def _zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise RuleViolation(_t("Give a time zone such as Europe/London."), "time_zone") from None
    return name


def _link_text(value: str) -> str:
    value = text(value, field="link", max_length=500, required=False)
    if value and not value.startswith(("https://", "http://")):
        raise RuleViolation(_t("Give a web address starting with https://."), "link")
    return value


def _reminders(values) -> list[int]:
    values = values if values is not None else [1440, 60]
    if not isinstance(values, list) or len(values) > 5:
        raise RuleViolation(_t("Give at most five reminders."), "reminders")
    return sorted(
        {whole(v, field="reminders", low=0, high=MAX_REMINDER_MINUTES) for v in values},
        reverse=True,
    )


def _times(starts_at, ends_at):
    starts_at = moment(starts_at, field="starts_at")
    ends_at = moment(ends_at, field="ends_at")
    if ends_at <= starts_at:
        raise RuleViolation(_t("The end must come after the start."), "ends_at")
    return starts_at, ends_at


@transaction.atomic
def create_event(
    member,
    organisation,
    *,
    title: str,
    starts_at,
    ends_at,
    time_zone: str = "UTC",
    kind: str = EventKind.MEETING,
    description: str = "",
    place: str = "",
    link_: str = "",
    capacity: int | None = None,
    branch: str | None = None,
    struggle: Struggle | None = None,
    visibility: str = Visibility.PUBLIC,
    reminders: list[int] | None = None,
) -> Event:
    if struggle is not None:
        if struggle.organisation_id != organisation.pk:
            raise RuleViolation(_t("No struggle of this organisation has this number."), "struggle")
        owner = struggle.branch
        if struggle.visibility == Visibility.MEMBERS:
            visibility = Visibility.MEMBERS
    else:
        owner = branch_of(organisation, branch)
    term = rules.mandate(member, owner, organisation)
    if kind not in EventKind.values:
        raise RuleViolation(_t("Choose one of the listed options."), "kind")
    if visibility not in Visibility.values:
        raise RuleViolation(_t("Choose one of the listed options."), "visibility")
    starts_at, ends_at = _times(starts_at, ends_at)
    place = text(place, field="place", max_length=300, required=False)
    link_ = _link_text(link_)
    if not place and not link_:
        raise RuleViolation(_t("Give a place or a link (or both)."), "place")
    event = Event.objects.create(
        organisation=organisation,
        branch=owner,
        struggle=struggle,
        title=text(title, field="title", max_length=200),
        kind=kind,
        description=text(
            description, field="description", max_length=20000, required=False, one_line=False
        ),
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=_zone(time_zone),
        place=place,
        link=link_,
        capacity=None if capacity is None else whole(capacity, field="capacity", low=1, high=10**6),
        visibility=visibility,
        reminders=_reminders(reminders),
        created_by=member,
    )
    record(
        organisation,
        "event.created",
        actor=member,
        term=term,
        target=event,
        data={"title": event.title, "starts_at": event.starts_at},
    )
    return event


def _signed_up(event: Event):
    return Signup.objects.filter(event=event).values_list("member_id", flat=True)


@transaction.atomic
def change_event(member, event: Event, **changes) -> Event:
    """Change the time, place, link or description; a new time or place tells everyone."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    term = rules.mandate(member, event, event.organisation)
    event, moved = _apply_change(event, changes)
    record(
        event.organisation,
        "event.changed",
        actor=member,
        term=term,
        target=event,
        data={"sequence": event.sequence, "moved": moved},
    )
    return event


def _apply_change(event: Event, changes: dict) -> tuple[Event, bool]:
    """The change itself (``event`` locked): SEQUENCE raised, those signed up told of a move.

    Shared by ``change_event`` (a ``run_struggles`` mandate) and
    ``reschedule_for`` (another app's own rule), so a change is told the same way.
    """
    if event.cancelled_at:
        raise RuleViolation(_t("This event is cancelled."))
    starts_at = changes.get("starts_at") or event.starts_at
    ends_at = changes.get("ends_at") or event.ends_at
    starts_at, ends_at = _times(starts_at, ends_at)
    place = event.place
    if changes.get("place") is not None:
        place = text(changes["place"], field="place", max_length=300, required=False)
    link_ = event.link if changes.get("link") is None else _link_text(changes["link"])
    if not place and not link_:
        raise RuleViolation(_t("Give a place or a link (or both)."), "place")
    time_zone = _zone(changes["time_zone"]) if changes.get("time_zone") else event.time_zone
    if (starts_at, ends_at) != (event.starts_at, event.ends_at):
        # The apps above may refuse (a study session out of its course's order).
        event_moving.send(sender=Event, event=event, starts_at=starts_at, ends_at=ends_at)
    moved = (starts_at, ends_at, place, link_, time_zone) != (
        event.starts_at,
        event.ends_at,
        event.place,
        event.link,
        event.time_zone,
    )
    if changes.get("title") is not None:
        event.title = text(changes["title"], field="title", max_length=200)
    if changes.get("description") is not None:
        event.description = text(
            changes["description"],
            field="description",
            max_length=20000,
            required=False,
            one_line=False,
        )
    if changes.get("capacity") is not None:
        event.capacity = whole(changes["capacity"], field="capacity", low=1, high=10**6)
    event.starts_at, event.ends_at, event.place, event.link = starts_at, ends_at, place, link_
    event.time_zone = time_zone
    event.sequence += 1
    event.save()
    if moved:
        notify(
            _signed_up(event),
            f"event:{event.pk}:changed:{event.sequence}",
            _t("“%(title)s” has changed: now %(when)s, %(where)s.")
            % {"title": event.title, "when": _when(event), "where": place or link_},
            link(event),
        )
    event_changed.send(sender=Event, event=event)
    return event, moved


@transaction.atomic
def cancel_event(member, event: Event, reason: str = "") -> Event:
    event = Event.objects.select_for_update().get(pk=event.pk)
    term = rules.mandate(member, event, event.organisation)
    if event.cancelled_at:
        return event
    reason = text(reason, field="reason", max_length=300, required=False)
    _apply_cancel(event, reason)
    record(
        event.organisation,
        "event.cancelled",
        actor=member,
        term=term,
        target=event,
        data={"reason": reason},
    )
    return event


def _apply_cancel(event: Event, reason: str) -> None:
    """Cancel ``event`` (locked): STATUS:CANCELLED in the feeds, those signed up told."""
    event.cancelled_at = timezone.now()
    event.sequence += 1
    event.save(update_fields=["cancelled_at", "sequence", "updated_at"])
    notify(
        _signed_up(event),
        f"event:{event.pk}:cancelled",
        _t("“%(title)s” (%(when)s) is cancelled. %(reason)s")
        % {"title": event.title, "when": _when(event), "reason": reason},
        link(event),
    )
    event_changed.send(sender=Event, event=event)


def _when(event: Event) -> str:
    local = event.starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone))
    return local.strftime("%a %d %b %Y %H:%M ") + event.time_zone


@transaction.atomic
def sign_up(member, event: Event) -> Signup:
    event = Event.objects.select_for_update().get(pk=event.pk)
    if member is None or member.organisation_id != event.organisation_id:
        raise NotPermitted(_t("Only members of this organisation can sign up."))
    if not member.in_good_standing:
        raise NotPermitted(_t("Only members in good standing can sign up."))
    if event.cancelled_at:
        raise RuleViolation(_t("This event is cancelled."))
    if event.ends_at < timezone.now():
        raise RuleViolation(_t("This event is over."))
    existing = Signup.objects.filter(event=event, member=member).first()
    if existing:
        return existing
    if event.capacity is not None and event.signups.count() >= event.capacity:
        raise RuleViolation(_t("This event is full."))
    return Signup.objects.create(event=event, member=member)


@transaction.atomic
def withdraw_signup(member, event: Event) -> None:
    deleted, _ = Signup.objects.filter(
        event=event, member=member, state=SignupState.SIGNED_UP
    ).delete()
    if not deleted:
        raise RuleViolation(_t("You are not signed up."))


@transaction.atomic
def mark_attendance(member, event: Event, attendee_id: int, state: str) -> Signup:
    term = rules.mandate(member, event, event.organisation)
    if state not in SignupState.values:
        raise RuleViolation(_t("Choose one of the listed options."), "state")
    attendee_id = whole(attendee_id, field="member_id", low=1, high=2**63 - 1)
    signup = Signup.objects.filter(event=event, member_id=attendee_id).first()
    if signup is None:
        raise RuleViolation(_t("This member is not signed up."), "member_id")
    signup.state = state
    signup.save(update_fields=["state"])
    record(
        event.organisation,
        "event.attendance",
        actor=member,
        term=term,
        target=event,
        data={"state": state},
    )
    return signup


def remind_now(member, event: Event, message: str = "") -> int:
    """An organiser's own reminder, also after the start: to those signed up only."""
    with transaction.atomic():
        term = rules.mandate(member, event, event.organisation)
        message = text(message, field="message", max_length=300, required=False)
        stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
        sent = notify(
            Signup.objects.filter(event=event, state=SignupState.SIGNED_UP).values_list(
                "member_id", flat=True
            ),
            f"event:{event.pk}:remind:{stamp}",
            _t("Reminder: “%(title)s”, %(when)s. %(message)s")
            % {"title": event.title, "when": _when(event), "message": message},
            link(event),
        )
        record(
            event.organisation,
            "event.reminded",
            actor=member,
            term=term,
            target=event,
            data={"sent": sent},
        )
    return sent


def send_reminders(now=None) -> int:
    """The clock's step: reminders whose time has come, to those signed up, each once."""
    now = now or timezone.now()
    horizon = now + timedelta(minutes=MAX_REMINDER_MINUTES)
    sent = 0
    upcoming = Event.objects.filter(
        cancelled_at__isnull=True, starts_at__gt=now, starts_at__lte=horizon
    )
    for event in upcoming:
        for minutes in sorted(event.reminders or []):
            if event.starts_at - timedelta(minutes=minutes) > now:
                continue
            with transaction.atomic():
                sent += notify(
                    Signup.objects.filter(event=event, state=SignupState.SIGNED_UP).values_list(
                        "member_id", flat=True
                    ),
                    f"event:{event.pk}:reminder:{event.sequence}:{minutes}",
                    _t("Reminder: “%(title)s”, %(when)s, %(where)s.")
                    % {
                        "title": event.title,
                        "when": _when(event),
                        "where": event.place or event.link,
                    },
                    link(event),
                )
            break  # the nearest due offset only: no burst of stale reminders
    return sent


def visible_events(viewer, organisation):
    qs = Event.objects.filter(organisation=organisation).select_related("struggle", "branch")
    if not rules.is_member(viewer, organisation):
        qs = qs.filter(visibility=Visibility.PUBLIC).exclude(
            struggle__visibility=Visibility.MEMBERS
        )
    return qs


# --- personal calendar tokens ------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def new_calendar_token(member) -> str:
    """A fresh personal feed address; any earlier one stops working."""
    if member is None or not member.in_good_standing:
        raise NotPermitted(_t("Only members in good standing have a personal calendar."))
    CalendarToken.objects.filter(member=member, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token = secrets.token_urlsafe(24)
    CalendarToken.objects.create(member=member, digest=_digest(token))
    return token


def revoke_calendar_token(member) -> int:
    return CalendarToken.objects.filter(member=member, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def member_for_token(token: str):
    if not token or len(token) > 100:
        return None
    found = (
        CalendarToken.objects.filter(digest=_digest(token), revoked_at__isnull=True)
        .select_related("member")
        .first()
    )
    if found is None or not found.member.in_good_standing:
        return None
    return found.member


def personal_events(member):
    return Event.objects.filter(signups__member=member).select_related("organisation")


def attendance(viewer, event: Event) -> list[dict]:
    """Each person's state at an event (signed up, attended, did not come).

    The organisers whose mandate reaches the event see everyone's (they need it
    to run it); anyone else sees only their own, and nobody else's name.
    """
    if viewer is None:
        raise NotPermitted(_t("Log in to see this."))
    signups = event.signups.select_related("member").order_by("member__name", "pk")
    if not rules.may_run(viewer, event):
        signups = signups.filter(member=viewer)
    return [{"member_id": s.member_id, "name": s.member.name, "state": s.state} for s in signups]


def schedule_for(
    organisation,
    *,
    branch,
    title: str,
    starts_at,
    ends_at,
    place: str = "",
    link_: str = "",
    created_by=None,
) -> Event:
    """A members-only study session another app schedules under its own rule.

    Study circles (``tribune.education``) are run by their facilitators, who
    need no ``run_struggles`` mandate: the caller has checked its own rule and
    records its own audit entry. The session then appears in the organisation's
    calendar and feeds like every event, without a second calendar.
    """
    starts_at, ends_at = _times(starts_at, ends_at)
    return Event.objects.create(
        organisation=organisation,
        branch=branch,
        title=text(title, field="title", max_length=200),
        kind=EventKind.STUDY,
        starts_at=starts_at,
        ends_at=ends_at,
        place=text(place, field="place", max_length=300, required=False),
        link=_link_text(link_),
        visibility=Visibility.MEMBERS,
        created_by=created_by,
    )


@transaction.atomic
def reschedule_for(event: Event, *, starts_at, ends_at) -> Event:
    """Move an event another app scheduled with ``schedule_for``, under that app's own rule.

    The same change as ``change_event`` (SEQUENCE raised, everyone signed up
    notified); the caller has checked who may do it and records its own audit
    entry, inside its own transaction.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    return _apply_change(event, {"starts_at": starts_at, "ends_at": ends_at})[0]


@transaction.atomic
def cancel_for(event: Event, *, reason: str = "") -> Event:
    """Cancel an event another app scheduled, under that app's own rule (see ``reschedule_for``)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not event.cancelled_at:
        _apply_cancel(event, text(reason, field="reason", max_length=300, required=False))
    return event
