"""What an organisation shares with a network or coalition: its struggles, events,
solidarity requests and archive documents, each still its own.

Sharing marks the organisation's own struggle, event or request as run with
the coalition or network (the third kind of owner in tribune.struggles:
``concert_uri``/``concert_name``); it stays the organisation's, run under its
own ``run_struggles`` mandate. Only what is public is shared (a shared calendar
is a public feed). A document is shared by its address and title: only a
published, public document of the organisation's archive.

Across servers: what is shared is also recorded, as plain public values
(``record_shared``: its page's address, title, and for an event its times and
place), on the holder's home server — forwarded there when the holder is a copy
— and sent with the holder's state to every server taking part. So the shared
lists and the shared calendar show what organisations on every server shared,
and an event moved or cancelled after it was shared is sent again
(``on_item_saved``).

Sharing is undone the same way (``unshare``, ``unshare_document``:
``record_unshared`` on the home server, which sends the holder's state without
it to every copy). An item made members-only or deleted after it was shared is
withdrawn by itself: what an organisation no longer shows the public must not
stay on other servers' pages and calendars. Made public again, it is sent again.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.lib.errors import NotFound, NotPermitted, RuleViolation
from tribune.networks import decisions
from tribune.networks.common import clean_uri, forward, number, site
from tribune.networks.common import name as clean_name
from tribune.networks.concert import _participating, _ratified
from tribune.networks.models import Coalition, Network, SharedDocument, SharedKind
from tribune.struggles.services.common import text

logger = logging.getLogger(__name__)
MAX_DETAILS = 2000  # characters of JSON: an event's times and place, nothing more

KINDS = ("struggle", "event", "solidarity")


def _model(kind: str):
    from tribune.struggles.models import Event, SolidarityRequest, Struggle

    models = {"struggle": Struggle, "event": Event, "solidarity": SolidarityRequest}
    if kind not in models:
        raise RuleViolation(_t("Choose a struggle, an event or a solidarity request."), "kind")
    return models[kind]


def _own_item(organisation, kind: str, item_id, message: str):
    """``organisation``'s struggle, event or request number ``item_id``, or ``message``."""
    model = _model(kind)  # an unknown kind is refused first, by its own field
    item_id = number(item_id, "item_id", message)
    item = model.objects.filter(pk=item_id, organisation=organisation).first()
    if item is None:
        raise RuleViolation(message, "item_id")
    return item


@transaction.atomic
def share(actor, organisation, holder, *, kind: str, item_id: int):
    """Run one of ``organisation``'s struggles, events or solidarity requests with ``holder``."""
    from tribune.struggles import rules
    from tribune.struggles.models import Visibility

    message = _t("Nothing of your organisation has this number.")
    item = _own_item(organisation, kind, item_id, message)
    term = rules.mandate(actor, item, organisation)
    if not _participating(holder, organisation):
        raise NotPermitted(_t("Only organisations taking part can share here."))
    struggle = getattr(item, "struggle", None)
    if getattr(item, "visibility", Visibility.PUBLIC) != Visibility.PUBLIC or (
        struggle is not None and struggle.visibility != Visibility.PUBLIC
    ):
        raise RuleViolation(_t("Only what is public can be shared."), "item_id")
    if item.concert_uri and item.concert_uri != holder.uri:
        raise RuleViolation(_t("This is already run with another coalition or network."), "item_id")
    item.concert_uri, item.concert_name = holder.uri, holder.name
    item.save(update_fields=["concert_uri", "concert_name"])
    _send(holder, item_values(item, kind, holder))
    record(
        organisation,
        "concert.shared",
        actor=actor,
        term=term,
        target=item,
        data={"with": holder.uri, "kind": kind},
    )
    return item


@transaction.atomic
def unshare(actor, organisation, holder, *, kind: str, item_id: int):
    """Stop running one of ``organisation``'s items with ``holder``: it goes from every server."""
    from tribune.struggles import rules

    message = _t("Nothing of your organisation is shared here under this number.")
    item = _own_item(organisation, kind, item_id, message)
    term = rules.mandate(actor, item, organisation)
    if item.concert_uri != holder.uri:
        raise RuleViolation(message, "item_id")
    item.concert_uri, item.concert_name = "", ""
    item.save(update_fields=["concert_uri", "concert_name"])
    _withdraw(holder, organisation.uri, site() + _page(item, kind))
    record(
        organisation,
        "concert.unshared",
        actor=actor,
        term=term,
        target=item,
        data={"with": holder.uri, "kind": kind},
    )
    return item


def shared(holder, kind: str):
    """Public items run with ``holder`` (any organisation on this server)."""
    from tribune.struggles.models import Visibility

    qs = _model(kind).objects.filter(concert_uri=holder.uri).select_related("organisation")
    if kind != "solidarity":
        qs = qs.filter(visibility=Visibility.PUBLIC)
    if kind != "struggle":  # nothing of a members-only struggle, even if shared before
        qs = qs.exclude(struggle__visibility=Visibility.MEMBERS)
    return qs


@transaction.atomic
def share_document(actor, organisation, holder, *, document_id: int) -> SharedDocument:
    from tribune.archive.models import Document

    term = decisions.mandate(actor, organisation)
    if not _participating(holder, organisation):
        raise NotPermitted(_t("Only organisations taking part can share here."))
    message = _t("No document of your archive has this number.")
    document_id = number(document_id, "document_id", message)
    document = Document.objects.filter(pk=document_id, organisation=organisation).first()
    if document is None:
        raise RuleViolation(message, "document_id")
    if not document.is_public:
        raise RuleViolation(_t("Only a published, public document can be shared."), "document_id")
    address = site() + document.get_absolute_url()
    is_coalition = isinstance(holder, Coalition)
    found = SharedDocument.objects.filter(
        document_uri=address, **({"coalition": holder} if is_coalition else {"network": holder})
    ).first()
    if found is not None:
        return found
    values = {
        "holder_uri": holder.uri,
        "organisation_uri": organisation.uri,
        "organisation_name": organisation.name,
        "kind": SharedKind.DOCUMENT,
        "item_uri": address,
        "title": document.published.title[:300],
        "details": {},
    }
    shared_document = _send(holder, values)
    record(
        organisation,
        "concert.document_shared",
        actor=actor,
        term=term,
        target=document,
        data={"with": holder.uri, "document": address},
    )
    return shared_document


@transaction.atomic
def unshare_document(actor, organisation, holder, *, document_id: int) -> None:
    """Take one of ``organisation``'s documents off ``holder``'s shared list, on every server."""
    from tribune.archive.models import Document

    term = decisions.mandate(actor, organisation)
    message = _t("No document of your archive is shared here under this number.")
    document_id = number(document_id, "document_id", message)
    document = Document.objects.filter(pk=document_id, organisation=organisation).first()
    address = site() + document.get_absolute_url() if document is not None else ""
    if not address or not holder.documents.filter(document_uri=address).exists():
        raise RuleViolation(message, "document_id")
    _withdraw(holder, organisation.uri, address)
    record(
        organisation,
        "concert.document_unshared",
        actor=actor,
        term=term,
        target=document,
        data={"with": holder.uri, "document": address},
    )


# --- across servers ------------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _page(item, kind: str) -> str:
    """The path of the item's public page on this server."""
    name = {"event": "web:event", "solidarity": "web:solidarity"}.get(kind, "web:struggle")
    return reverse(name, args=[item.organisation.slug, item.pk])


def item_values(item, kind: str, holder) -> dict:
    """A shared struggle, event or solidarity request as the plain public values that travel."""
    details = {}
    if kind == "event":
        details = {
            "uid": str(item.uid),
            "starts_at": _iso(item.starts_at),
            "ends_at": _iso(item.ends_at),
            "time_zone": item.time_zone,
            "place": item.place,
            "link": item.link,
            "sequence": item.sequence,
            "cancelled": item.cancelled_at is not None,
            "updated_at": _iso(item.updated_at),
        }
    elif kind == "solidarity":
        details = {"deadline": _iso(item.deadline), "quantity": item.quantity}
    return {
        "holder_uri": holder.uri,
        "organisation_uri": item.organisation.uri,
        "organisation_name": item.organisation.name,
        "kind": kind,
        "item_uri": site() + _page(item, kind),
        "title": item.title,
        "details": details,
    }


def _send(holder, values: dict) -> SharedDocument:
    """Record on the holder's home server: here, or forwarded there (an unsaved row back)."""
    if holder.home:
        return record_shared(**values)
    forward.send(sender=type(holder), target_uri=holder.uri, action="share", values=values)
    return SharedDocument(
        document_uri=values["item_uri"],
        title=values["title"],
        kind=values["kind"],
        organisation_uri=values["organisation_uri"],
        organisation_name=values["organisation_name"],
    )


def _withdraw(holder, organisation_uri: str, item_uri: str) -> None:
    """Undo a share on the holder's home server: here, or forwarded there."""
    values = {"holder_uri": holder.uri, "organisation_uri": organisation_uri, "item_uri": item_uri}
    if holder.home:
        record_unshared(**values)
    else:
        forward.send(sender=type(holder), target_uri=holder.uri, action="unshare", values=values)


def _holder(uri) -> Network | Coalition:
    for model in (Network, Coalition):
        found = model.objects.filter(uri=uri, home=True).first() if isinstance(uri, str) else None
        if found is not None:
            return found
    raise NotFound(_t("Nothing known here has this address."), "holder")


def _takes_part(holder, organisation_uri: str) -> bool:
    if isinstance(holder, Coalition):
        return _ratified(holder, organisation_uri)
    from tribune.networks.networks import members_of

    return members_of(holder).filter(member_uri=organisation_uri).exists()


@transaction.atomic
def record_shared(
    holder_uri: str,
    organisation_uri: str,
    organisation_name: str,
    kind: str,
    item_uri: str,
    title: str,
    details: dict | None = None,
) -> SharedDocument:
    """What a taking-part organisation shared, on the holder's home (the federation calls this).

    Sharing the same item again brings its values up to date (an event moved).
    """
    holder = _holder(holder_uri)
    if not _takes_part(holder, organisation_uri):
        raise NotPermitted(_t("Only organisations taking part can share here."))
    if kind not in SharedKind.values:
        raise RuleViolation(_t("Choose a struggle, an event or a solidarity request."), "kind")
    clean_uri(item_uri, "item")
    details = details or {}
    if not isinstance(details, dict) or len(json.dumps(details, default=str)) > MAX_DETAILS:
        raise RuleViolation(_t("Give the shared item's details."), "details")
    is_coalition = isinstance(holder, Coalition)
    row, _created = SharedDocument.objects.update_or_create(
        document_uri=item_uri,
        **({"coalition": holder} if is_coalition else {"network": holder}),
        defaults={
            "title": text(title, field="title", max_length=300),
            "kind": kind,
            "details": details,
            "organisation_uri": organisation_uri,
            "organisation_name": clean_name(organisation_name, "organisation"),
        },
    )
    return row


@transaction.atomic
def record_unshared(holder_uri: str, organisation_uri: str, item_uri: str) -> int:
    """An organisation withdrew what it shared, on the holder's home (the federation calls
    this): only the organisation that shared an item takes it off. How many rows went."""
    holder = _holder(holder_uri)
    rows = holder.documents.filter(document_uri=item_uri, organisation_uri=organisation_uri)
    return rows.delete()[0]  # each row's post_delete sends the holder's state to its copies


def remote(holder, kind: str):
    """What organisations on other servers shared with ``holder`` (kind: event, struggle, …)."""
    return holder.documents.filter(kind=kind).exclude(organisation_uri__startswith=site() + "/")


def _public(item) -> bool:
    from tribune.struggles.models import Visibility

    struggle = getattr(item, "struggle", None)
    return getattr(item, "visibility", Visibility.PUBLIC) == Visibility.PUBLIC and (
        struggle is None or struggle.visibility == Visibility.PUBLIC
    )


KIND_OF = {"Event": "event", "Struggle": "struggle", "SolidarityRequest": "solidarity"}


def on_item_saved(sender, instance, created=False, **kwargs) -> None:
    """A shared event, struggle or request changed: its shared values are sent again, or,
    made members-only, withdrawn from every server."""
    if created or not getattr(instance, "concert_uri", ""):
        return
    if set(kwargs.get("update_fields") or ()) == {"concert_uri", "concert_name"}:
        return  # the act of sharing itself, which sends it
    _carry(instance, KIND_OF.get(sender.__name__), send=_public(instance))


def on_item_deleted(sender, instance, **kwargs) -> None:
    """A shared item deleted: withdrawn from the holder, on every server."""
    if getattr(instance, "concert_uri", ""):
        _carry(instance, KIND_OF.get(sender.__name__), send=False)


def _carry(instance, kind: str | None, *, send: bool) -> None:
    """Send (or withdraw) a shared item's values; never breaks the item's own change.

    A holder unknown here, or a link down, is logged: the item's change stands.
    """
    holder = _concert_holder(instance)
    if kind is None or holder is None:
        return
    try:
        with transaction.atomic():
            if send:
                _send(holder, item_values(instance, kind, holder))
            else:
                _withdraw(holder, instance.organisation.uri, site() + _page(instance, kind))
    except RuleViolation as refused:  # e.g. no longer taking part, or no link with its home
        logger.info("shared %s %s not carried to %s: %s", kind, instance.pk, holder.uri, refused)
    except Exception:
        logger.exception("shared %s %s not carried to %s", kind, instance.pk, holder.uri)


def _concert_holder(instance):
    for model in (Network, Coalition):
        found = model.objects.filter(uri=instance.concert_uri).first()
        if found is not None:
            return found
    return None


@dataclass
class RemoteEvent:
    """An event shared from another server, as the calendar feed reads an event."""

    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    place: str
    link: str
    sequence: int
    cancelled_at: datetime | None
    updated_at: datetime
    page: str
    host: str
    organisation_name: str
    description: str = ""


def remote_events(holder) -> list[RemoteEvent]:
    """Events organisations on other servers shared with ``holder``, for pages and the feed."""
    events = []
    for row in remote(holder, SharedKind.EVENT):
        d = row.details
        try:
            starts, ends = (
                datetime.fromisoformat(d["starts_at"]),
                datetime.fromisoformat(d["ends_at"]),
            )
            updated = datetime.fromisoformat(d.get("updated_at") or d["starts_at"])
            events.append(
                RemoteEvent(
                    uid=str(d["uid"]),
                    title=row.title,
                    starts_at=starts,
                    ends_at=ends,
                    time_zone=str(d.get("time_zone") or "UTC"),
                    place=str(d.get("place") or ""),
                    link=str(d.get("link") or ""),
                    sequence=int(d.get("sequence") or 0),
                    cancelled_at=updated if d.get("cancelled") else None,
                    updated_at=updated,
                    page=row.document_uri,
                    host=urlsplit(row.document_uri).hostname or "tribune",
                    organisation_name=row.organisation_name,
                )
            )
        except (KeyError, TypeError, ValueError):
            continue  # an incomplete row is left out of the feed rather than breaking it
    return sorted(events, key=lambda e: e.starts_at)
