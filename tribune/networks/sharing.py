"""What an organisation shares with a network or coalition: its struggles, events,
solidarity requests and archive documents, each still its own.

Sharing marks the organisation's own struggle, event or request as run with
the coalition or network (the third kind of owner in tribune.struggles:
``concert_uri``/``concert_name``); it stays the organisation's, run under its
own ``run_struggles`` mandate. Only what is public is shared (a shared calendar
is a public feed). A document is shared by its address and title: only a
published, public document of the organisation's archive.
"""

from django.db import transaction
from django.utils.translation import gettext as _t

from tribune.audit.log import record
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.networks import decisions
from tribune.networks.common import number, site
from tribune.networks.concert import _participating
from tribune.networks.models import Coalition, SharedDocument

KINDS = ("struggle", "event", "solidarity")


def _model(kind: str):
    from tribune.struggles.models import Event, SolidarityRequest, Struggle

    models = {"struggle": Struggle, "event": Event, "solidarity": SolidarityRequest}
    if kind not in models:
        raise RuleViolation(_t("Choose a struggle, an event or a solidarity request."), "kind")
    return models[kind]


@transaction.atomic
def share(actor, organisation, holder, *, kind: str, item_id: int):
    """Run one of ``organisation``'s struggles, events or solidarity requests with ``holder``."""
    from tribune.struggles import rules
    from tribune.struggles.models import Visibility

    model = _model(kind)
    message = _t("Nothing of your organisation has this number.")
    item_id = number(item_id, "item_id", message)
    item = model.objects.filter(pk=item_id, organisation=organisation).first()
    if item is None:
        raise RuleViolation(message, "item_id")
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
    record(
        organisation,
        "concert.shared",
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
    shared_document = SharedDocument.objects.create(
        coalition=holder if is_coalition else None,
        network=None if is_coalition else holder,
        document_uri=address,
        title=document.published.title[:300],
        organisation_uri=organisation.uri,
        organisation_name=organisation.name,
    )
    record(
        organisation,
        "concert.document_shared",
        actor=actor,
        term=term,
        target=document,
        data={"with": holder.uri, "document": address},
    )
    return shared_document
