"""Pages of networks and coalitions, and an organisation's "networks and coalitions" page.

The network's and the coalition's pages are public and read-only: charter,
members (with the decision each cited), delegates, coalitions, the shared
calendar, documents and pledges — counts per organisation, never a pledger.
An organisation acts from its own page (``/o/{slug}/networks/``), where the
forms are offered to an officer whose mandate grants ``represent_in_networks``
and every action is checked again by the service it calls.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.lib.errors import RuleViolation
from tribune.networks import coalitions, concert, decisions, networks, sharing
from tribune.networks.common import acts_sent, site
from tribune.networks.forms import (
    CoalitionForm,
    ConcertForm,
    DecideForm,
    DecisionForm,
    EndorseForm,
    InviteForm,
    NetworkForm,
    RenewForm,
    ShareDocumentForm,
    ShareForm,
    UnshareDocumentForm,
    UnshareForm,
    decision_choices,
    split_decision,
)
from tribune.networks.models import (
    Coalition,
    ConcertCount,
    ConcertPledge,
    MembershipState,
    Network,
    SharedDocument,
    SharedKind,
)
from tribune.offices.rules import has_power
from tribune.struggles import calendar
from tribune.web.helpers import attempt, organisation_and_viewer


def _ics(events, name: str) -> HttpResponse:
    response = HttpResponse(
        calendar.feed(events, name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    return response


def _holder_context(holder) -> dict:
    return {
        "pledges": list(holder.pledges.all()),
        "documents": list(holder.documents.filter(kind=SharedKind.DOCUMENT)),
        "events": sharing.shared(holder, "event").order_by("starts_at")[:50],
        "struggles": sharing.shared(holder, "struggle")[:50],
        "requests": sharing.shared(holder, "solidarity")[:50],
        # Shared by organisations on other servers (sent with the holder's state).
        "remote_events": sharing.remote_events(holder)[:50],
        "remote_struggles": sharing.remote(holder, SharedKind.STRUGGLE)[:50],
        "remote_requests": sharing.remote(holder, SharedKind.SOLIDARITY)[:50],
    }


def _feed(holder) -> HttpResponse:
    """Events shared by organisations here and, from the holder's state, on every other server."""
    events = list(sharing.shared(holder, "event")) + sharing.remote_events(holder)
    return _ics(events, holder.name)


# --- public pages ----------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "networks/index.html",
        {"networks": Network.objects.all(), "coalitions": Coalition.objects.all()},
    )


def network(request: HttpRequest, network_slug: str) -> HttpResponse:
    obj = get_object_or_404(Network, slug=network_slug)
    return render(
        request,
        "networks/network.html",
        {
            "network": obj,
            "members": obj.memberships.exclude(state=MembershipState.LEFT),
            "former": obj.memberships.filter(state=MembershipState.LEFT),
            "delegates": networks.delegates(obj),
            "coalitions": obj.coalitions.all(),
            **_holder_context(obj),
        },
    )


def network_calendar(request: HttpRequest, network_slug: str) -> HttpResponse:
    return _feed(get_object_or_404(Network, slug=network_slug))


def coalition(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    obj = get_object_or_404(Coalition, slug=coalition_slug)
    return render(
        request,
        "networks/coalition.html",
        {
            "coalition": obj,
            "demands": obj.demands.all(),
            "participants": obj.participations.all(),
            **_holder_context(obj),
        },
    )


def coalition_calendar(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    return _feed(get_object_or_404(Coalition, slug=coalition_slug))


# --- the organisation's page -----------------------------------------------------------------


def _shareable(organisation) -> list[tuple[str, str]]:
    from tribune.struggles.models import Event, SolidarityRequest, Struggle, Visibility

    items = []
    for s in Struggle.objects.filter(organisation=organisation, visibility=Visibility.PUBLIC):
        items.append((f"struggle:{s.pk}", _t("Struggle: %(t)s") % {"t": s.title}))
    for e in Event.objects.filter(
        organisation=organisation, visibility=Visibility.PUBLIC, cancelled_at__isnull=True
    ).exclude(struggle__visibility=Visibility.MEMBERS):
        items.append((f"event:{e.pk}", _t("Event: %(t)s") % {"t": e.title}))
    requests = SolidarityRequest.objects.filter(organisation=organisation).exclude(
        struggle__visibility=Visibility.MEMBERS
    )
    for r in requests:
        items.append((f"solidarity:{r.pk}", _t("Solidarity request: %(t)s") % {"t": r.title}))
    return items


def _sent(organisation) -> dict[str, list[dict]]:
    from tribune.networks.refused import ACTS

    return {
        uri: [{"act": act, "label": ACTS.get(act.action, act.action)} for act in acts]
        for uri, acts in acts_sent(organisation.uri).items()
    }


def _shared_items(organisation, holders) -> dict[str, list[tuple[str, str]]]:
    """What ``organisation`` runs with each of ``holders`` now, by holder address, as the
    stop-sharing forms offer it."""
    from tribune.struggles.models import Event, SolidarityRequest, Struggle

    uris = [h.uri for h in holders]
    items: dict[str, list[tuple[str, str]]] = {}
    for kind, model, label in (
        ("struggle", Struggle, _t("Struggle: %(t)s")),
        ("event", Event, _t("Event: %(t)s")),
        ("solidarity", SolidarityRequest, _t("Solidarity request: %(t)s")),
    ):
        shared = model.objects.filter(organisation=organisation, concert_uri__in=uris)
        for item in shared.only("pk", "title", "concert_uri")[:500]:
            items.setdefault(item.concert_uri, []).append(
                (f"{kind}:{item.pk}", label % {"t": item.title})
            )
    return items


def _shared_documents(organisation, holders) -> dict[str, list[tuple[str, str]]]:
    """The documents of ``organisation``'s archive on each of ``holders``' shared lists, by
    holder address (read from the lists' addresses: an archive may hold thousands)."""
    from django.urls import Resolver404, resolve

    from tribune.archive.models import Document

    holder_of = {h.pk: h.uri for h in holders if isinstance(h, Network)}
    coalition_of = {h.pk: h.uri for h in holders if isinstance(h, Coalition)}
    rows = SharedDocument.objects.filter(
        Q(network_id__in=holder_of) | Q(coalition_id__in=coalition_of),
        organisation_uri=organisation.uri,
        kind=SharedKind.DOCUMENT,
    ).values_list("network_id", "coalition_id", "document_uri")
    wanted: dict[int, list[str]] = {}
    for network_id, coalition_id, uri in rows:
        if not uri.startswith(site() + "/"):
            continue
        try:
            match = resolve(urlsplit(uri).path)
        except Resolver404:
            continue
        if match.url_name == "archive_document" and match.kwargs["slug"] == organisation.slug:
            where = holder_of.get(network_id) or coalition_of.get(coalition_id)
            wanted.setdefault(match.kwargs["document_id"], []).append(where)
    docs = Document.objects.filter(
        organisation=organisation, pk__in=wanted, published__isnull=False
    ).select_related("published")
    found: dict[str, list[tuple[str, str]]] = {}
    for d in docs:
        for where in wanted[d.pk]:
            found.setdefault(where, []).append((str(d.pk), d.published.title))
    return found


def _documents(organisation) -> list[tuple[str, str]]:
    from tribune.archive.models import Document, Visibility

    docs = Document.objects.filter(
        organisation=organisation, visibility=Visibility.PUBLIC, published__isnull=False
    ).select_related("published")
    return [(str(d.pk), d.published.title) for d in docs[:100]]


def _sections(organisation) -> list[tuple[str, str]]:
    from tribune.assemblies.models import Programme

    programme = Programme.objects.filter(organisation=organisation).first()
    current = programme.current() if programme else None
    if current is None:
        return []
    return [(s.key, s.title) for s in current.sections.all()]


def org_page(request: HttpRequest, slug: str, status: int = 200, refused=None) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    may_act = has_power(viewer, decisions.POWER) if viewer is not None else False
    may_run = has_power(viewer, "run_struggles") if viewer is not None else False
    memberships = list(networks.networks_of(organisation))
    pursued = coalitions.pursued_by(organisation)
    context = {
        "organisation": organisation,
        "viewer": viewer,
        "may_act": may_act,
        "may_run": may_run,
        "memberships": memberships,
        "pursued": pursued,
        "refused": refused,
    }
    # What its officers sent to servers where a network or coalition is decided, and
    # was not (yet) taken there: waiting for an answer, not delivered, or refused.
    sent = _sent(organisation) if may_act or may_run else {}
    for m in memberships:
        m.sent = sent.get(m.network.uri, [])
    for row in pursued:
        row["sent"] = sent.get(row["coalition"].uri, [])
    # The programme's sections by their titles, never their keys (plain words on screen).
    sections = _sections(organisation)
    titles = dict(sections)
    for row in pursued:
        for d in row["demands"]:
            d["sections"] = [(key, titles.get(key, key)) for key in d["sections"]]
    # Forms per network and coalition, each with ids of its own (one page, many forms).
    # Everything they offer is read once for the page, whatever the number of holders.
    holders = [m.network for m in memberships] + [row["coalition"] for row in pursued]
    prefetch_related_objects([m.network for m in memberships], "pledges")
    prefetch_related_objects([row["coalition"] for row in pursued], "pledges", "demands")
    shareable = _shareable(organisation) if may_run else []
    documents = _documents(organisation) if may_act else []
    choices = decision_choices(organisation) if may_act else []
    running = _shared_items(organisation, holders) if may_run else {}
    on_list = _shared_documents(organisation, holders) if may_act else {}
    parents: dict[str, list] = {}
    above = networks.Membership.objects.filter(
        member_uri__in=[m.network.uri for m in memberships],
        state__in=[MembershipState.INVITED, MembershipState.MEMBER],
    ).select_related("network")
    for parent in above:
        parents.setdefault(parent.member_uri, []).append(parent)
    for i, m in enumerate(memberships):  # where the network itself is invited, or a member
        m.parents = [
            (
                parent,
                EndorseForm(
                    choices=choices,
                    initial={"parent": parent.network.slug},
                    auto_id=f"id_e{i}_{j}_%s",
                )
                if may_act
                else None,
            )
            for j, parent in enumerate(parents.get(m.network.uri, []))
        ]
    for n, holder_row in enumerate([*memberships, *pursued]):
        ids = f"id_f{n}_%s"
        holder = holder_row["coalition"] if isinstance(holder_row, dict) else holder_row.network
        forms = {}
        if may_act:
            forms["join"] = DecisionForm(choices=choices, auto_id=f"id_j{n}_%s")
            forms["leave"] = DecisionForm(choices=choices, auto_id=f"id_l{n}_%s")
            forms["invite"] = InviteForm(auto_id=f"id_i{n}_%s")
            forms["renew"] = RenewForm(auto_id=f"id_r{n}_%s")
            forms["pledge"] = ConcertForm(auto_id=f"id_p{n}_%s")
            forms["document"] = ShareDocumentForm(documents=documents, auto_id=f"id_d{n}_%s")
            if isinstance(holder_row, dict):
                forms["decide"] = DecideForm(
                    choices=choices,
                    demands=holder.demands.all(),
                    sections=sections,
                    prefix=f"c{holder.pk}",
                    auto_id=ids,
                )
            if on_list.get(holder.uri):
                forms["undocument"] = UnshareDocumentForm(
                    documents=on_list[holder.uri], auto_id=f"id_ud{n}_%s"
                )
        if may_run:
            forms["share"] = ShareForm(items=shareable, auto_id=f"id_s{n}_%s")
            if running.get(holder.uri):
                forms["unshare"] = UnshareForm(items=running[holder.uri], auto_id=f"id_us{n}_%s")
        if isinstance(holder_row, dict):
            holder_row["forms"] = forms
        else:
            holder_row.forms = forms
    # The organisation's own chapter of each pledge (its members pledge there).
    pledges = [p.pk for h in holders for p in h.pledges.all()]
    counts = {
        c.pledge_id: c
        for c in ConcertCount.objects.filter(
            organisation_uri=organisation.uri, pledge_id__in=pledges
        )
    }
    chapters = {pk: counts.get(pk) for pk in pledges}
    context["chapters"] = chapters
    return render(request, "networks/organisation.html", context, status=status)


def organisation_networks(request: HttpRequest, slug: str) -> HttpResponse:
    return org_page(request, slug)


def _refused(request, slug, form) -> HttpResponse:
    return org_page(request, slug, status=400, refused=form)


@login_required
def network_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    decisions.mandate(viewer, organisation)
    form = NetworkForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = attempt(
            form,
            networks.found_network,
            viewer,
            organisation,
            name=data["name"],
            slug=data["slug"],
            purpose=data["purpose"],
            decision_rule=data["decision_rule"],
            **split_decision(data["decision"]),
        )
        if made is not None:
            messages.success(request, _t("The network is founded."))
            return redirect("web:network", made.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "networks/new.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "form": form,
            "title": _t("Found a network"),
        },
        status=status,
    )


@login_required
def coalition_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    decisions.mandate(viewer, organisation)
    mine = [
        (m.network.slug, m.network.name)
        for m in networks.networks_of(organisation)
        if m.state == MembershipState.MEMBER
    ]
    form = CoalitionForm(request.POST or None, networks=mine)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        net = Network.objects.filter(slug=data["network"]).first() if data["network"] else None
        lines = [line.strip() for line in data["demands"].splitlines() if line.strip()]
        made = attempt(
            form,
            coalitions.create_coalition,
            viewer,
            organisation,
            name=data["name"],
            slug=data["slug"],
            demands=lines,
            ends_on=data["ends_on"],
            purpose=data["purpose"],
            network=net,
        )
        if made is not None:
            messages.success(request, _t("The coalition is proposed: now ratify it."))
            return redirect("web:org_networks", organisation.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "networks/new.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "form": form,
            "title": _t("Propose a coalition"),
        },
        status=status,
    )


SHARING = ("share", "document", "unshare", "undocument")
NETWORK_ACTIONS = ("invite", "join", "leave", "endorse", "pledge", *SHARING)
COALITION_ACTIONS = ("invite", "decide", "renew", "pledge", *SHARING)


@login_required
@require_POST
def network_action(request: HttpRequest, slug: str, network_slug: str, action: str):
    if action not in NETWORK_ACTIONS:
        raise Http404
    return _act(request, slug, get_object_or_404(Network, slug=network_slug), action)


@login_required
@require_POST
def coalition_action(request: HttpRequest, slug: str, coalition_slug: str, action: str):
    if action not in COALITION_ACTIONS:
        raise Http404
    return _act(request, slug, get_object_or_404(Coalition, slug=coalition_slug), action)


def _act(request, slug: str, holder, action: str) -> HttpResponse:
    """Check the mandate first (403 with its reason), then the form, then the rules."""
    organisation, viewer = organisation_and_viewer(request, slug)
    if action in ("share", "unshare"):
        from tribune.struggles import rules

        rules.mandate(viewer, None, organisation)
    else:
        decisions.mandate(viewer, organisation)
    form = _form(action, request, organisation, holder)
    if form.is_valid():
        _do(action, form, viewer, organisation, holder)
    if form.is_valid() and not form.errors:
        messages.success(request, _t("Done."))
        page = "web:coalition" if isinstance(holder, Coalition) else "web:network"
        return redirect(page, holder.slug)
    return _refused(request, slug, form)


def _form(action, request, organisation, holder):
    if action == "invite":
        return InviteForm(request.POST)
    if action in ("join", "leave"):
        return DecisionForm(request.POST, organisation=organisation)
    if action == "endorse":
        return EndorseForm(request.POST, organisation=organisation)
    if action == "decide":
        return DecideForm(
            request.POST,
            organisation=organisation,
            demands=holder.demands.all(),
            sections=_sections(organisation),
            prefix=f"c{holder.pk}",
        )
    if action == "renew":
        return RenewForm(request.POST)
    if action == "pledge":
        return ConcertForm(request.POST)
    if action == "share":
        return ShareForm(request.POST, items=_shareable(organisation))
    if action == "unshare":
        running = _shared_items(organisation, [holder]).get(holder.uri, [])
        return UnshareForm(request.POST, items=running)
    if action == "undocument":
        on_list = _shared_documents(organisation, [holder]).get(holder.uri, [])
        return UnshareDocumentForm(request.POST, documents=on_list)
    return ShareDocumentForm(request.POST, documents=_documents(organisation))


def _do(action, form, viewer, organisation, holder) -> None:
    d = form.cleaned_data
    is_network = isinstance(holder, Network)
    if action == "invite":
        if is_network:
            attempt(
                form,
                networks.invite,
                viewer,
                organisation,
                holder,
                member_uri=d["uri"],
                member_name=d["name"],
                kind=d["kind"],
            )
        else:
            attempt(
                form,
                coalitions.invite,
                viewer,
                organisation,
                holder,
                organisation_uri=d["uri"],
                organisation_name=d["name"],
            )
    elif action in ("join", "leave"):
        act = networks.join if action == "join" else networks.leave
        attempt(form, act, viewer, organisation, holder, **split_decision(d["decision"]))
    elif action == "endorse":
        parent = Network.objects.filter(slug=d["parent"]).first()
        if parent is None:
            form.add_error("parent", _t("Nothing known here has this short name."))
            return
        attempt(
            form,
            networks.endorse,
            viewer,
            organisation,
            holder,
            act=d["act"],
            parent=parent,
            **split_decision(d["decision"]),
        )
    elif action == "decide":
        cited = split_decision(d["decision"]) if d["state"] != "ratifying" else {}
        attempt(
            form,
            coalitions.decide,
            viewer,
            organisation,
            holder,
            d["state"],
            programme_links=form.links(),
            **cited,
        )
    elif action == "renew":
        attempt(form, coalitions.renew, viewer, organisation, holder, ends_on=d["ends_on"])
    elif action == "pledge":
        attempt(
            form,
            concert.create,
            viewer,
            organisation,
            holder,
            action=d["action"],
            threshold=d["threshold"],
            deadline=d["deadline"],
            details=d["details"],
        )
    elif action in ("share", "unshare"):
        kind, _sep, pk = d["item"].partition(":")
        act = sharing.share if action == "share" else sharing.unshare
        attempt(form, act, viewer, organisation, holder, kind=kind, item_id=int(pk))
    elif action == "undocument":
        attempt(
            form,
            sharing.unshare_document,
            viewer,
            organisation,
            holder,
            document_id=int(d["document"]),
        )
    else:
        attempt(
            form,
            sharing.share_document,
            viewer,
            organisation,
            holder,
            document_id=int(d["document"]),
        )


@login_required
@require_POST
def chapter(request: HttpRequest, slug: str, pledge_id: int) -> HttpResponse:
    """Open the organisation's own pledge toward a coalition's or network's pledge."""
    organisation, viewer = organisation_and_viewer(request, slug)
    pledge = get_object_or_404(ConcertPledge, pk=pledge_id)
    try:
        made = concert.open_chapter(viewer, organisation, pledge)
    except RuleViolation as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
        return redirect("web:org_networks", organisation.slug)
    return redirect("web:pledge", organisation.slug, made.pk)
