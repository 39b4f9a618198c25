"""The chair's actions: seating, elections, speakers, sittings, the agenda and votes,
substitutes and transferred votes.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.assemblies import services, sessions
from tribune.assemblies.forms import (
    AgendaItemForm,
    ItemForm,
    OpenVoteForm,
    SubstituteForm,
    TransferForm,
)
from tribune.assemblies.views.acting import _acting, _button, _submit
from tribune.assemblies.views.common import _assembly, _member
from tribune.lib.inputs import object_id
from tribune.web.helpers import organisation_and_viewer


@login_required
@require_POST
def chair_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    """Seat participants, call delegate elections, call the next speaker, open a ranking vote
    on an item's competing motions, close the vote."""
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    viewer = _member(viewer)
    if action == "seat":
        return _button(
            request,
            assembly,
            services.seat_participants,
            viewer,
            assembly,
            done=_t("The participants are seated."),
        )
    if action == "delegate-elections":
        return _button(
            request,
            assembly,
            services.call_delegate_elections,
            viewer,
            assembly,
            done=_t("Each branch's delegate election is called."),
        )
    if action == "congress-elections":
        return _button(
            request,
            assembly,
            services.call_congress_elections,
            viewer,
            assembly,
            done=_t("The elections the constitution gives the congress are called."),
        )
    if action == "next-speaker":
        item = get_object_or_404(assembly.agenda, pk=object_id(request.POST.get("item")))
        return _button(
            request, assembly, services.next_speaker, viewer, item, done=_t("Next speaker.")
        )
    if action == "close-vote":
        vote = get_object_or_404(assembly.votes, pk=object_id(request.POST.get("vote")))
        return _button(
            request, assembly, services.close_vote, viewer, vote, done=_t("The vote is closed.")
        )
    if action == "open-ranking":
        item = get_object_or_404(assembly.agenda, pk=object_id(request.POST.get("item")))
        return _button(
            request,
            assembly,
            services.open_ranking_vote,
            viewer,
            item,
            done=_t("The ranking vote is open."),
        )
    sittings = {
        "open-session": (sessions.open_session, _t("The assembly is in session.")),
        "suspend-session": (sessions.suspend_session, _t("The session is suspended.")),
        "resume-session": (sessions.resume_session, _t("The session is resumed.")),
    }
    if action in sittings:
        run, done = sittings[action]
        return _button(request, assembly, run, viewer, assembly, done=done)
    if action == "close":
        return _button(
            request,
            assembly,
            services.close_assembly,
            viewer,
            assembly,
            done=_t("The assembly is closed."),
        )
    if action == "current-item":
        form = ItemForm(request.POST, assembly=assembly)
        if not form.is_valid():
            raise Http404
        return _button(
            request,
            assembly,
            services.set_current_item,
            viewer,
            form.cleaned_data["item"],
            done=_t("The item is under discussion."),
        )
    raise Http404


@login_required
@require_POST
def add_item(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, viewer = _acting(request, slug, pk)
    return _submit(
        request,
        assembly,
        viewer,
        "agenda_form",
        AgendaItemForm(request.POST),
        lambda data: services.add_agenda_item(viewer, assembly, **data),
        _t("The item is on the agenda."),
        "agenda",
    )


@login_required
@require_POST
def open_vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, viewer = _acting(request, slug, pk)
    form = OpenVoteForm(request.POST, assembly=assembly)
    return _submit(
        request,
        assembly,
        viewer,
        "open_vote_form",
        form,
        lambda data: services.open_vote(viewer, assembly, **form.subject_objects(assembly)),
        _t("The vote is open."),
    )


@login_required
@require_POST
def substitute(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, viewer = _acting(request, slug, pk)
    return _submit(
        request,
        assembly,
        viewer,
        "substitute_form",
        SubstituteForm(request.POST, assembly=assembly),
        lambda data: services.add_substitute(viewer, data["delegate"], data["member"]),
        _t("The substitute is seated."),
        "participants",
    )


@login_required
@require_POST
def transfer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, viewer = _acting(request, slug, pk)
    return _submit(
        request,
        assembly,
        viewer,
        "transfer_form",
        TransferForm(request.POST, assembly=assembly),
        lambda data: services.transfer_vote(data["delegate"], data["to_substitute"], actor=viewer),
        _t("The vote is transferred."),
        "participants",
    )
