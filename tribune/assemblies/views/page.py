"""The assembly page: standing orders, participants, agenda, motions and the live panel.

``_again`` shows the page again with a refusal on the form that caused it; every
form posted from the page comes back through it.
"""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from tribune.assemblies import rules, services, sessions, textmerge
from tribune.assemblies.forms import (
    AgendaItemForm,
    AttendanceForm,
    ItemForm,
    MotionForm,
    ProxyForm,
    SubstituteForm,
    TransferForm,
)
from tribune.assemblies.models import Assembly, Motion, Programme, Proxy
from tribune.assemblies.views.common import _assembly
from tribune.assemblies.views.hall import _live_context
from tribune.lib import worddiff
from tribune.members.models import Member
from tribune.web.helpers import organisation_and_viewer


def _numbered(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.splitlines(), start=1))


def _motion_view(motion: Motion) -> dict:
    versions = list(motion.versions.all())
    history = []
    for before, after in zip(versions, versions[1:], strict=False):
        history.append(
            {
                "version": after,
                "changes": mark_safe(worddiff.render_plain_changes(before.text, after.text)),
            }
        )
    try:
        consolidated, clash = services.consolidated_text(motion), ""
    except textmerge.AmendmentConflict as conflict:
        consolidated, clash = "", str(conflict)
    conflicts = services.conflicting_amendments(motion)
    flagged = {label for pair in conflicts for label in pair}
    return {
        "motion": motion,
        "tabled": _numbered(versions[0].text) if versions else [],
        "current": versions[-1] if versions else None,
        "history": history,
        "amendments": [
            {
                "amendment": a,
                "conflict": a.label in flagged,
                "changes": mark_safe(  # escaped by worddiff, then marked
                    worddiff.render_plain_changes(
                        textmerge.replaced_lines(versions[0].text, a.start, a.end),
                        a.new_text,
                    )
                ),
            }
            for a in motion.amendments.all()
        ],
        "conflicts": conflicts,
        "consolidated": consolidated,
        "consolidation_clash": clash,
        "majority": sessions.majority_rule(motion.assembly, motion)["name"],
    }


def _agenda_and_motions(assembly: Assembly, motions) -> tuple[list, list]:
    """Agenda items with what the ranking of competing motions needs, and the motions with
    each ranked item's motions in the order decided (at the place of the item's first)."""
    items = list(assembly.agenda.all())
    by_item: dict[int, list] = {}
    for motion in motions:
        by_item.setdefault(motion.agenda_item_id, []).append(motion)
    orders = {}
    for item in items:
        ranking = services.ranking_of(item)
        tabled = [m for m in by_item.get(item.pk, []) if m.status == Motion.Status.TABLED]
        item.can_rank = ranking is None and len(tabled) >= 2
        item.ranked = []
        if ranking is not None:
            orders[item.pk] = ranking.order
            item.ranked = services.in_ranked_order(
                [m for m in by_item.get(item.pk, []) if m.pk in ranking.order], ranking.order
            )
    shown, done = [], set()
    for motion in motions:
        order = orders.get(motion.agenda_item_id)
        if order is None:
            shown.append(motion)
        elif motion.agenda_item_id not in done:
            done.add(motion.agenda_item_id)
            for place, m in enumerate(
                services.in_ranked_order(by_item[motion.agenda_item_id], order)
            ):
                m.ranked_place = place + 1 if m.pk in order else None
                shown.append(m)
    return items, shown


def _page(request: HttpRequest, assembly: Assembly, viewer: Member | None, **forms) -> dict:
    organisation = assembly.organisation
    participant = services.participant_of(viewer, assembly)
    programme = Programme.objects.filter(organisation=organisation).first()
    current_programme = programme.current() if programme else None
    sections = current_programme.sections.all() if current_programme else []
    participants = (
        assembly.participants.all()
        if rules.shows_names(viewer, assembly)
        else assembly.participants.none()  # the count is still shown to everyone
    )
    participants = participants.select_related(
        "member", "delegation", "substitute_for__member", "proxy_given"
    ).prefetch_related(Prefetch("proxies_held", queryset=Proxy.objects.select_related("giver")))
    motions = assembly.motions.select_related("agenda_item", "tabled_by").prefetch_related(
        "versions", "amendments"
    )
    agenda, motions = _agenda_and_motions(assembly, list(motions))
    return {
        "organisation": organisation,
        "viewer": viewer,
        **_live_context(assembly, viewer, **forms),
        "participant": participant,
        "proxy_given": Proxy.objects.filter(giver=participant)
        .select_related("holder__member")
        .first()
        if participant
        else None,
        "participants": participants.order_by("delegation__name", "member__name"),
        "participant_count": assembly.participants.count(),
        "delegations": [
            {"branch": b, "members": n, "seats": s}
            for b, (n, s) in sorted(
                services.delegations(assembly).items(), key=lambda kv: kv[0].name
            )
        ]
        if assembly.kind == Assembly.Kind.DELEGATES
        else [],
        "agenda": agenda,
        "motions": [_motion_view(m) for m in motions],
        "before_deadline": timezone.now() <= assembly.motions_deadline,
        "motion_form": forms.get("motion_form")
        or MotionForm(assembly=assembly, sections=sections, member=viewer),
        "agenda_form": forms.get("agenda_form") or AgendaItemForm(),
        "item_form": ItemForm(assembly=assembly),
        "proxy_form": forms.get("proxy_form") or ProxyForm(assembly=assembly, exclude=participant),
        "substitute_form": forms.get("substitute_form") or SubstituteForm(assembly=assembly),
        "transfer_form": forms.get("transfer_form") or TransferForm(assembly=assembly),
        "attendance_form": forms.get("attendance_form") or AttendanceForm(assembly=assembly),
        "quorum_percent_text": sessions.percent_text(sessions.quorum_percent(assembly)),
    }


def assembly(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Standing orders, participants, agenda, motions and the live panel of one assembly."""
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    return render(request, "assemblies/assembly.html", _page(request, assembly, viewer))


def _again(request, assembly: Assembly, viewer, **forms) -> HttpResponse:
    """The assembly page again, showing the refusal on the form that caused it."""
    context = _page(request, assembly, viewer, **forms)
    return render(request, "assemblies/assembly.html", context, status=400)
